"""Site hook: the theme's skip link sits in a labelled navigation landmark.

The consent banner is the first thing in <body> (so keyboard and screen-reader users meet it
first) and its text links the policy's cookie section. The theme's "skip to content" link is then
no longer the page's first link, and accessibility checkers (axe's "region" rule) count it as
content outside every landmark. Material renders it outside any template block, so the built
page is amended here.
"""

from __future__ import annotations

import re
from html import escape

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

# Material's wrapper, only where it holds a link (pages without a table of contents have none).
SKIP_WRAPPER = re.compile(r'<div data-md-component="skip">(?=\s*<a )')


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    label = config.extra.get("labels", {}).get("skip_link")
    if not label:
        return output
    landmark = f'<div data-md-component="skip" role="navigation" aria-label="{escape(label)}">'
    return SKIP_WRAPPER.sub(landmark, output, count=1)
