"""Site hook: CDN header rules (`_headers`, the Netlify / Cloudflare Pages format), and the
same CSP in each page's `<meta http-equiv>` for hosts that ignore `_headers` (GitHub Pages).

A strict CSP, HSTS and friends, immutable caching for content-hashed assets and short caching
for pages.

Inline scripts: the CSP allows exactly those the templates write (Material's own, and any in
overrides/), by their sha256 hashes; never one a page's content or data brings. What a page
contains is decided by editors, and a pasted vendor snippet or a hostile script would otherwise
be hashed like the theme's (the page rules refuse raw <script> in a page, page_source.py; this
is the second wall). How the templates' scripts are told apart, robustly:

* when the build's Jinja environment is made (`on_env`), its loader is wrapped so that every
  `<script>` tag written in a template's *source* gets an attribute carrying a random token made
  for this build (`data-template-script=<token>`); the token exists nowhere else, so no page,
  front matter or configuration value can carry it (they are text the templates print, never
  template source);
* each rendered page's inline scripts are then hashed only when their tag carries the token; the
  attribute is removed before the page is written. A script without it (a template printing a
  value as HTML, a hook adding markup) is not hashed, so browsers refuse it, and the build warns
  (a strict build fails) naming the page.

This keeps working when Material changes its inline scripts (they are still in its templates),
and a script body that depends on the page (Material's `__md_scope` carries the page's depth)
is hashed as rendered. A template's script whose opening tag has Jinja in its attributes is
not marked (none has): it would be refused, and the browser tests would say so.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from html import escape
from urllib.parse import urlsplit

import jinja2
import site_common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.pages import Page

log = get_plugin_logger("security_headers")
# Inline <script> elements (one with `src` is a file: the CSP's sources govern it).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
SCRIPT_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]*)""", re.I)
# Types a browser runs; any other (application/json, text/plain: data, gated tags) never runs.
EXECUTED_TYPES = ("", "text/javascript", "application/javascript", "module")
# An opening <script> tag as a template's source writes it (plain attributes, no Jinja).
TEMPLATE_SCRIPT_TAG = re.compile(r"<script(?P<attrs>(?:\s[^<>{}]*?)?)\s*>")
MARK_ATTRIBUTE = "data-template-script"
HASHED_ASSET = re.compile(r"\.[0-9a-f]{8,}(\.min)?\.(js|css)$")
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "X-Frame-Options": "DENY",
    # Other sites may not embed the site's files (Spectre-style leaks); Mozilla's HTTP
    # Observatory checks for it. Nothing of the site is meant to be loaded from elsewhere.
    "Cross-Origin-Resource-Policy": "same-origin",
}
# CSP directive → sources the consent registry's tags need (asked from the consent plugin).
tag_sources: dict[str, list[str]] = {}
# Ignored by browsers in a <meta http-equiv> policy (CSP3 §3.3): they stay in `_headers`.
META_UNSUPPORTED = ("frame-ancestors", "report-uri", "report-to", "sandbox")
# The meta policy goes right after this, before any script or stylesheet it must govern.
META_ANCHOR = '<meta charset="utf-8">'
PAGE_CACHE = "public, max-age=300, must-revalidate"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"


def on_pre_build(config: MkDocsConfig) -> None:
    """After every plugin's on_config, so the consent plugin has read its registry."""
    global tag_sources
    consent = config.plugins.get("consent")
    tag_sources = consent.csp_sources() if consent is not None else {}


def _allow_tags(directive: str) -> str:
    return "".join(f" {source}" for source in tag_sources.get(directive, []))


def on_env(env: jinja2.Environment, config: MkDocsConfig, files) -> jinja2.Environment:
    """Mark the scripts the templates write, with a token new for this build (see above)."""
    site_common.state.template_script_mark = secrets.token_hex(16)
    env.loader = _TemplateScripts(env.loader, site_common.state.template_script_mark)
    return env


class _TemplateScripts(jinja2.BaseLoader):
    """The theme's own loader, whose templates' `<script>` tags carry the build's mark."""

    def __init__(self, loader: jinja2.BaseLoader, mark: str):
        self.loader, self.mark = loader, mark

    def get_source(self, environment, template):
        source, filename, uptodate = self.loader.get_source(environment, template)
        marked = TEMPLATE_SCRIPT_TAG.sub(
            lambda tag: f"<script{tag['attrs']} {MARK_ATTRIBUTE}={self.mark}>", source
        )
        return marked, filename, uptodate

    def list_templates(self):
        return self.loader.list_templates()


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return _with_meta_policy(output, page.file.dest_uri)


def on_post_template(output: str, template_name: str, config: MkDocsConfig) -> str:
    if template_name.endswith(".html"):
        return _with_meta_policy(output, template_name)
    return output


def template_scripts(html: str, mark: str) -> tuple[str, set[str], list[str]]:
    """(the HTML without the mark, the CSP hashes of the inline scripts the templates wrote,
    the start of each other inline script that would run)."""
    marked = re.compile(rf"""\s{MARK_ATTRIBUTE}=(["']?){re.escape(mark)}\1""")
    hashes, foreign = set(), []
    for match in INLINE_SCRIPT.finditer(html):
        kind = SCRIPT_TYPE.search(marked.sub("", match["attrs"]))
        if (kind[1].strip().lower() if kind else "") not in EXECUTED_TYPES:
            continue  # data blocks (application/json) and gated text/plain scripts never run
        if mark and marked.search(match["attrs"]):
            digest = hashlib.sha256(match["body"].encode("utf-8")).digest()
            hashes.add("'sha256-" + base64.b64encode(digest).decode() + "'")
        else:
            foreign.append(" ".join(match["body"].split())[:60])
    return (marked.sub("", html) if mark else html), hashes, foreign


def _with_meta_policy(html: str, source: str) -> str:
    """The page's own CSP as a meta element, for hosts that ignore `_headers` (GitHub Pages).

    Its script hashes are those of the inline scripts the templates wrote into this page, known
    only now that it is rendered; `_headers` gets the union over all pages.
    """
    html, hashes, foreign = template_scripts(html, site_common.state.template_script_mark)
    for start in foreign:
        log.warning(
            f"{source}: an inline <script> that no template writes ({start!r}): the site's "
            "Content-Security-Policy does not allow it, so browsers refuse it. A vendor's tag "
            "belongs in consent.yml, as `tag:` of its vendor; the site's own scripts in the "
            "templates (overrides/)"
        )
    site_common.state.inline_script_hashes |= hashes
    if META_ANCHOR not in html:
        raise PluginError(
            f"security_headers: {source} has no '{META_ANCHOR}' to put the CSP meta after "
            "(overrides/main.html, block site_meta)."
        )
    meta = (
        '\n  <meta http-equiv="Content-Security-Policy" '
        f'content="{escape(meta_content_security_policy(hashes), quote=False)}">'
    )
    return html.replace(META_ANCHOR, META_ANCHOR + meta, 1)


def meta_content_security_policy(script_hashes: set[str]) -> str:
    """`content_security_policy()` without what a meta element cannot carry."""
    return "; ".join(
        directive
        for directive in content_security_policy(script_hashes).split("; ")
        if directive.split()[0] not in META_UNSUPPORTED
    )


def content_security_policy(script_hashes: set[str] | None = None) -> str:
    """The site's policy; by default with the inline-script hashes of every page so far."""
    if script_hashes is None:
        script_hashes = site_common.state.inline_script_hashes
    scripts = " ".join(["'self'", *sorted(script_hashes)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}{_allow_tags('script-src')}",
            f"style-src 'self'{_allow_tags('style-src')}",
            f"img-src 'self' data:{_allow_tags('img-src')}",  # Material's icons: data: SVGs
            f"font-src 'self'{_allow_tags('font-src')}",
            f"connect-src 'self'{_allow_tags('connect-src')}",
            # Only when a tag needs them; default-src covers them otherwise.
            *(
                f"{directive} 'self'{_allow_tags(directive)}"
                for directive in ("frame-src", "media-src")
                if directive in tag_sources
            ),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def on_post_build(config: MkDocsConfig) -> None:
    """`_headers`: every rule is a whole path, so no two rules set the same header on one file.

    Runs once per language build; each run rewrites the file from all pages so far.
    """
    base = urlsplit(config.site_url).path.rstrip("/")
    lines = ["/*"]
    lines += [f"  {name}: {value}" for name, value in SECURITY_HEADERS.items()]
    lines.append(f"  Content-Security-Policy: {content_security_policy()}")
    pages = {urlsplit(url).path for url in site_common.state.pages}
    pages |= {f"{base}/404.html"}
    pages |= {f"{base}/{lang}/404.html" for lang in site_common.other_languages(config)}
    hashed = [
        os.path.relpath(os.path.join(root, name), config.site_dir).replace(os.sep, "/")
        for root, _dirs, names in sorted(os.walk(config.site_dir))
        for name in sorted(names)
        if HASHED_ASSET.search(name)
    ]
    for rule in sorted(_page_rules(config.site_dir, base, pages, hashed)):
        lines += ["", rule, f"  Cache-Control: {PAGE_CACHE}"]
    for rel in hashed:
        lines += ["", f"{base}/{rel}", f"  Cache-Control: {IMMUTABLE_CACHE}"]
    with open(os.path.join(config.site_dir, "_headers"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def _page_rules(site_dir: str, base: str, pages: set[str], hashed: list[str]) -> set[str]:
    """Where pages get the page cache: one `/folder/*` rule for each top folder without
    content-hashed files (their own rules would collide with it), else each page's path.

    So the rule count stays the same as the policy history grows with each release (Cloudflare
    Pages applies at most 100 rules); a splat also matches the folder's own page.
    """
    mixed = {rel.split("/")[0] for rel in hashed}
    rules = set()
    for path in pages:
        top = path[len(base) :].strip("/").split("/")[0]
        if top and top not in mixed and os.path.isdir(os.path.join(site_dir, top)):
            rules.add(f"{base}/{top}/*")
        else:
            rules.add(path)
    return rules
