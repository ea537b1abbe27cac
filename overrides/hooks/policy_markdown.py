"""Site hook: Markdown details of the legal text.

* Lists whose items carry their own markers (``・``, ``①``) lose the theme's bullet, so the
  legal text keeps its markers verbatim without showing two of them.
* Footnote back-links get a title in the page's language (Markdown's is English only).
"""

from __future__ import annotations

import re
from html import escape as html_escape

from markdown import Extension
from markdown.treeprocessors import Treeprocessor
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

FOOTNOTE_BACKREF = re.compile(r'(<a class="footnote-backref" href="#fnref:([^"]+)" title=")[^"]*"')
# Items that begin with one of these already show their own marker.
OWN_MARKERS = re.compile(r"^\s*[・○●■□◆◇※\u2460-\u2473\u3251-\u325f]")


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if not any(isinstance(ext, OwnMarkerListExtension) for ext in config.markdown_extensions):
        config.markdown_extensions.append(OwnMarkerListExtension())
    return config


def on_page_content(html: str, page: Page, config: MkDocsConfig, files) -> str:
    label = config.extra.get("labels", {}).get("footnote_back")
    if label:
        html = FOOTNOTE_BACKREF.sub(lambda m: m[1] + html_escape(label.format(m[2])) + '"', html)
    return html


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
