"""Site hook: CDN header rules (`_headers`, the Netlify / Cloudflare Pages format).

A strict CSP whose only inline-script allowances are the hashes of the scripts the theme really
emits (collected from every page written), HSTS and friends, immutable caching for
content-hashed assets and short caching for pages.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from urllib.parse import urlsplit

import site_common
from mkdocs.config.defaults import MkDocsConfig
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
}
# CSP directive → sources the consent registry's tags need (asked from the consent plugin).
tag_sources: dict[str, list[str]] = {}
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
        site_common.state.inline_script_hashes.add(
            "'sha256-" + base64.b64encode(digest).decode() + "'"
        )


def content_security_policy() -> str:
    scripts = " ".join(["'self'", *sorted(site_common.state.inline_script_hashes)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}{_allow_tags('script-src')}",
            "style-src 'self'",
            f"img-src 'self' data:{_allow_tags('img-src')}",  # Material's icons: data: SVGs
            "font-src 'self'",
            f"connect-src 'self'{_allow_tags('connect-src')}",
            # Only when a tag needs frames; default-src covers them otherwise.
            *(
                [f"frame-src 'self'{_allow_tags('frame-src')}"]
                if "frame-src" in tag_sources
                else []
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
    for path in sorted(pages):
        lines += ["", path, f"  Cache-Control: {PAGE_CACHE}"]
    for root, _dirs, names in sorted(os.walk(config.site_dir)):
        for name in sorted(names):
            if HASHED_ASSET.search(name):
                rel = os.path.relpath(os.path.join(root, name), config.site_dir)
                lines += [
                    "",
                    f"{base}/{rel.replace(os.sep, '/')}",
                    f"  Cache-Control: {IMMUTABLE_CACHE}",
                ]
    with open(os.path.join(config.site_dir, "_headers"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
