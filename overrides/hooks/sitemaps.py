"""Site hook: sitemaps dated by each page's `last_updated`, and `robots.txt`.

One sitemap in every directory that holds a page: Material fetches `sitemap.xml` relative to
each `<link rel="alternate">` of a page, and would log a 404 for every one missing.
"""

from __future__ import annotations

import gzip
import os
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import site_common
from mkdocs.config.defaults import MkDocsConfig

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


def on_post_build(config: MkDocsConfig) -> None:
    """Runs once per language build; each run rewrites the sitemaps from all pages so far."""
    state = site_common.state
    base_path = urlsplit(config.site_url).path
    directories = {""}
    for page in state.pages.values():
        rel = urlsplit(page.url).path[len(base_path) :]
        parts = rel.split("/")[:-1]
        directories.update("/".join(parts[: i + 1]) + "/" for i in range(len(parts)))
    for rel_dir in sorted(directories):
        scope = config.site_url + rel_dir
        pages = [p for url, p in sorted(state.pages.items()) if url.startswith(scope) and p.indexed]
        xml = _sitemap_xml(pages, x_default=site_common.default_lang(config))
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


def _sitemap_xml(pages: list[site_common.SitePage], x_default: str) -> bytes:
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
