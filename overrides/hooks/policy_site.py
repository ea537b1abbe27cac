"""Site-level MkDocs hooks for the bilingual policy site.

What the theme and mkdocs-static-i18n leave undone:

* hreflang alternates as absolute URLs, plus ``x-default`` (the default language);
* one 404 page per language (``404.html`` and ``en/404.html``);
* sitemaps with the policy's own last-updated date, and one sitemap in every
  directory that holds a page: Material fetches ``sitemap.xml`` relative to each
  ``<link rel="alternate">`` of a page, and would log a 404 for every one missing;
* the policy date shown in each language's format;
* CDN header rules (`_headers`, Netlify / Cloudflare Pages format): a strict CSP whose only
  inline-script allowances are the hashes of the scripts the theme really emits, HSTS and
  friends, immutable caching for content-hashed assets and short caching for pages;
* lists whose items carry their own markers (``・``, ``①``) lose the theme's bullet,
  so the legal text keeps its markers verbatim without showing two of them.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import hashlib
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html import escape as html_escape
from urllib.parse import urlsplit

from babel.dates import format_date
from markdown import Extension
from markdown.treeprocessors import Treeprocessor
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
FOOTNOTE_BACKREF = re.compile(r'(<a class="footnote-backref" href="#fnref:([^"]+)" title=")[^"]*"')
# Items that begin with one of these already show their own marker.
OWN_MARKERS = re.compile(r"^\s*[・○●■□◆◇※\u2460-\u2473\u3251-\u325f]")


@dataclass
class SitePage:
    url: str  # absolute
    lastmod: str | None
    alternates: dict[str, str] = field(default_factory=dict)


class _State:
    """Pages seen so far across the per-language builds of one `mkdocs build`."""

    def __init__(self) -> None:
        self.pages: dict[str, SitePage] = {}
        self.default_404: bytes | None = None
        self.inline_script_hashes: set[str] = set()


state = _State()


# --- configuration ---------------------------------------------------------------


def _i18n(config: MkDocsConfig):
    plugin = config.plugins.get("i18n")
    if plugin is None:
        raise PluginError("policy_site hooks need the mkdocs-static-i18n plugin ('i18n').")
    return plugin


def _current_lang(config: MkDocsConfig) -> str:
    return _i18n(config).current_language


def _default_lang(config: MkDocsConfig) -> str:
    return _i18n(config).default_language


def _language_roots(config: MkDocsConfig) -> dict[str, str]:
    """Absolute URL of each built language's home, from `site_url` (sub-path safe)."""
    return {
        lang.locale: config.site_url + lang.link.lstrip("/")
        for lang in _i18n(config).config.languages
        if lang.build
    }


def on_startup(command, dirty) -> None:
    """Forget pages of an earlier build (`mkdocs serve` rebuilds in one process)."""
    global state
    state = _State()


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if not config.site_url:
        raise PluginError(
            "mkdocs.yml: 'site_url' must be set: hreflang and sitemaps need absolute URLs."
        )
    if not config.site_url.endswith("/"):
        config.site_url += "/"
    if not any(isinstance(ext, OwnMarkerListExtension) for ext in config.markdown_extensions):
        config.markdown_extensions.append(OwnMarkerListExtension())
    return config


def on_env(env, config: MkDocsConfig, files):
    env.filters["policy_date"] = policy_date
    return env


def policy_date(value, lang: str) -> str:
    """`2026-11-26` → `2026年11月26日` (ja) / `November 26, 2026` (en)."""
    return format_date(_as_date(value), format="long", locale=lang)


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


# --- pages -------------------------------------------------------------------------


@event_priority(10)  # before mkdocs-static-i18n (-100) keeps only one language's files
def on_files(files, config: MkDocsConfig):
    """Every page exists in every language: name the missing file before anything else fails."""
    languages = [lang.locale for lang in _i18n(config).config.languages if lang.build]
    pages = {
        tuple(f.src_uri.split("/", 1))
        for f in files.documentation_pages()
        if "/" in f.src_uri and f.src_uri.split("/", 1)[0] in languages
    }
    names = {name for _, name in pages}
    missing = [
        f"docs/{lang}/{name}"
        for name in sorted(names)
        for lang in languages
        if (lang, name) not in pages
    ]
    if missing:
        raise PluginError(
            "Missing translation: "
            + ", ".join(missing)
            + ". Every page needs a file of the same name in each language folder."
        )
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files) -> str:
    """Reject a page without a valid `last_updated` date: it is shown and compared."""
    value = page.meta.get("last_updated")
    try:
        _as_date(value)
    except (TypeError, ValueError):
        # An impossible date (2026-13-45) makes the whole front matter unreadable to MkDocs:
        # quote what the file says.
        written = re.search(r"(?m)^last_updated:[ \t]*(.*)$", page.file.content_string or "")
        found = written[1].strip() if written else "nothing"
        raise PluginError(
            f"docs/{page.file.src_uri}: front matter 'last_updated' must be a real date like "
            f"2026-11-26 (found {found!r})."
        ) from None
    for key in ("title", "description"):
        if not str(page.meta.get(key) or "").strip():
            raise PluginError(
                f"docs/{page.file.src_uri}: front matter '{key}' is missing or empty."
            )
    return markdown


def on_page_content(html: str, page: Page, config: MkDocsConfig, files) -> str:
    """Footnote back-links get a title in the page's language (Markdown's is English only)."""
    label = config.extra.get("labels", {}).get("footnote_back")
    if label:
        html = FOOTNOTE_BACKREF.sub(lambda m: m[1] + html_escape(label.format(m[2])) + '"', html)
    return html


@event_priority(-50)  # after mkdocs-static-i18n (50) has pointed the alternates at this page
def on_page_context(context, page: Page, config: MkDocsConfig, nav):
    roots = _language_roots(config)
    alternates = {}
    for lang, root in roots.items():
        alt_file = getattr(page.file, "alternates", {}).get(lang)
        alternates[lang] = _abs_url(config, alt_file.url) if alt_file else root
    for alt in _theme_alternates(config):
        alt["link"] = alternates.get(alt["lang"], alt["link"])

    page_url = _abs_url(config, page.url)
    context["x_default_url"] = alternates[_default_lang(config)]
    state.pages[page_url] = SitePage(
        url=page_url,
        lastmod=str(page.meta.get("last_updated")),
        alternates=alternates,
    )
    return context


def on_template_context(context, template_name: str, config: MkDocsConfig):
    """The 404 page switches language to the other language's home."""
    if template_name == "404.html":
        roots = _language_roots(config)
        for alt in _theme_alternates(config):
            alt["link"] = roots.get(alt["lang"], alt["link"])
        context["x_default_url"] = roots[_default_lang(config)]
        context["language_home_url"] = roots[_current_lang(config)]
    return context


def _theme_alternates(config: MkDocsConfig) -> list[dict]:
    """The list Material's templates will read as `config.extra.alternate`.

    mkdocs-static-i18n assigns it as an attribute on `extra`, which Jinja prefers over the key.
    """
    alternates = getattr(config.extra, "alternate", None)
    return alternates if alternates is not None else config.extra.get("alternate", [])


def _abs_url(config: MkDocsConfig, url: str) -> str:
    url = "" if url in (".", "./") else url
    return config.site_url + url


# --- output ------------------------------------------------------------------------

# Inline <script> elements that execute (JSON data blocks do not, and CSP ignores them).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
HASHED_ASSET = re.compile(r"\.[0-9a-f]{8,}(\.min)?\.(js|css)$")
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "X-Frame-Options": "DENY",
}
PAGE_CACHE = "public, max-age=300, must-revalidate"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    _collect_inline_scripts(output)
    return output


def on_post_template(output: str, template_name: str, config: MkDocsConfig) -> str:
    if template_name.endswith(".html"):
        _collect_inline_scripts(output)
    return output


def _collect_inline_scripts(html: str) -> None:
    for match in INLINE_SCRIPT.finditer(html):
        kind = re.search(r'\btype="([^"]*)"', match["attrs"])
        if kind and kind[1] not in ("text/javascript", "module"):
            continue  # data blocks (application/json) and gated text/plain scripts never execute
        digest = hashlib.sha256(match["body"].encode("utf-8")).digest()
        state.inline_script_hashes.add("'sha256-" + base64.b64encode(digest).decode() + "'")


def content_security_policy() -> str:
    scripts = " ".join(["'self'", *sorted(state.inline_script_hashes)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self'",
            "img-src 'self' data:",  # Material's icons are data: SVGs in its stylesheet
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _write_headers(config: MkDocsConfig) -> None:
    """`_headers`: every rule is a whole path, so no two rules set the same header on one file."""
    base = urlsplit(config.site_url).path.rstrip("/")
    lines = ["/*"]
    lines += [f"  {name}: {value}" for name, value in SECURITY_HEADERS.items()]
    lines.append(f"  Content-Security-Policy: {content_security_policy()}")
    pages = {urlsplit(url).path for url in state.pages}
    pages |= {f"{base}/404.html"} | {f"{base}/{lang}/404.html" for lang in _other_languages(config)}
    for path in sorted(pages):
        lines += ["", path, f"  Cache-Control: {PAGE_CACHE}"]
    for root, _dirs, names in sorted(os.walk(config.site_dir)):
        for name in sorted(names):
            if HASHED_ASSET.search(name):
                rel = os.path.relpath(os.path.join(root, name), config.site_dir).replace(
                    os.sep, "/"
                )
                lines += ["", f"{base}/{rel}", f"  Cache-Control: {IMMUTABLE_CACHE}"]
    with open(os.path.join(config.site_dir, "_headers"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def _other_languages(config: MkDocsConfig) -> list[str]:
    """Path prefixes of the non-default languages (`en`), where their own 404 pages live."""
    return [
        lang.link.strip("/")
        for lang in _i18n(config).config.languages
        if lang.build and not lang.default
    ]


def on_post_build(config: MkDocsConfig) -> None:
    """Runs once per language build; each run rewrites the outputs from all pages so far."""
    site = config.site_dir
    lang, default = _current_lang(config), _default_lang(config)
    not_found = os.path.join(site, "404.html")
    if os.path.exists(not_found):
        if lang == default:
            with open(not_found, "rb") as fh:
                state.default_404 = fh.read()
        else:
            # Every language build writes /404.html: keep this one under its own prefix.
            os.makedirs(os.path.join(site, lang), exist_ok=True)
            os.replace(not_found, os.path.join(site, lang, "404.html"))
            if state.default_404 is not None:
                with open(not_found, "wb") as fh:
                    fh.write(state.default_404)
    _write_sitemaps(config)
    _write_headers(config)


def _write_sitemaps(config: MkDocsConfig) -> None:
    base_path = urlsplit(config.site_url).path
    directories = {""}
    for page in state.pages.values():
        rel = urlsplit(page.url).path[len(base_path) :]
        parts = rel.split("/")[:-1]
        directories.update("/".join(parts[: i + 1]) + "/" for i in range(len(parts)))
    for rel_dir in sorted(directories):
        scope = config.site_url + rel_dir
        pages = [p for url, p in sorted(state.pages.items()) if url.startswith(scope)]
        xml = _sitemap_xml(pages, x_default=_default_lang(config))
        target = os.path.join(config.site_dir, *rel_dir.split("/"), "sitemap.xml")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(xml)
        if rel_dir == "":
            with open(target + ".gz", "wb") as fh:
                fh.write(gzip.compress(xml, mtime=0))  # mtime=0: same input, same bytes
    robots = os.path.join(config.site_dir, "robots.txt")
    with open(robots, "w", encoding="utf-8") as fh:
        fh.write(f"User-agent: *\nAllow: /\n\nSitemap: {config.site_url}sitemap.xml\n")


def _sitemap_xml(pages: list[SitePage], x_default: str) -> bytes:
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for page in pages:
        url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = page.url
        if page.lastmod:
            ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = page.lastmod
        links = {**page.alternates, "x-default": page.alternates.get(x_default)}
        for hreflang, href in links.items():
            if href:
                ET.SubElement(
                    url,
                    f"{{{XHTML_NS}}}link",
                    {"rel": "alternate", "hreflang": hreflang, "href": href},
                )
    ET.indent(urlset)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


# --- Markdown ----------------------------------------------------------------------


class _OwnMarkerLists(Treeprocessor):
    def run(self, root):
        for lst in root.iter():
            if lst.tag not in ("ul", "ol"):
                continue
            items = [li for li in lst if li.tag == "li"]
            if items and all(OWN_MARKERS.match("".join(li.itertext())) for li in items):
                lst.set("class", (lst.get("class", "") + " policy-own-markers").strip())


class OwnMarkerListExtension(Extension):
    """Mark lists whose every item starts with its own marker (`・`, `①`) so CSS hides the bullet."""

    def extendMarkdown(self, md):
        md.treeprocessors.register(_OwnMarkerLists(md), "policy_own_markers", 5)
