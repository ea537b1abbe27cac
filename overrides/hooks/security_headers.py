"""Site hook: CDN header rules (`_headers`, the Netlify / Cloudflare Pages format), and the
same CSP in each page's `<meta http-equiv>` for hosts that ignore `_headers` (GitHub Pages).

A strict CSP whose only inline-script allowances are the hashes of the scripts the theme really
emits (collected from every page written), HSTS and friends, immutable caching for
content-hashed assets and short caching for pages.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from html import escape
from urllib.parse import urlsplit

import site_common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

# Inline <script> elements that execute (JSON data blocks do not, and CSP ignores them).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
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


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return _with_meta_policy(output, page.file.src_uri)


def on_post_template(output: str, template_name: str, config: MkDocsConfig) -> str:
    if template_name.endswith(".html"):
        return _with_meta_policy(output, template_name)
    return output


def _with_meta_policy(html: str, source: str) -> str:
    """The page's own CSP as a meta element, for hosts that ignore `_headers` (GitHub Pages).

    Its script hashes are those of this page's inline scripts, known only now that it is
    rendered; `_headers` gets the union over all pages.
    """
    hashes = _inline_script_hashes(html)
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


def _inline_script_hashes(html: str) -> set[str]:
    hashes = set()
    for match in INLINE_SCRIPT.finditer(html):
        kind = re.search(r'\btype="([^"]*)"', match["attrs"])
        if kind and kind[1] not in ("text/javascript", "module"):
            continue  # data blocks (application/json) and gated text/plain scripts never execute
        digest = hashlib.sha256(match["body"].encode("utf-8")).digest()
        hashes.add("'sha256-" + base64.b64encode(digest).decode() + "'")
    return hashes


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
