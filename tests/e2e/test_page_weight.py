"""What a page costs a phone before it shows its text: render-blocking stylesheets, and the
consent banner kept from becoming the page's Largest Contentful Paint (it is drawn by a
deferred script, so a banner LCP waits for the scripts). Timings belong to
scripts/benchmark.py; these tests check the causes."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from .conftest import PAGES

pytestmark = pytest.mark.browser

# Every largest-contentful-paint candidate the page reported, with its element.
LCP_ENTRIES = """() => new Promise(resolve => {
    const seen = [];
    new PerformanceObserver(list => {
        for (const e of list.getEntries())
            seen.push({inBanner: !!e.element?.closest('.cw-banner'),
                       element: e.element?.outerHTML.slice(0, 80), size: e.size});
    }).observe({type: 'largest-contentful-paint', buffered: true});
    setTimeout(() => resolve(seen), 500);
})"""


# Chromium only: Lighthouse measures LCP in Chromium; Firefox paints the deferred banner before
# the page's heading and lists it as an earlier, smaller candidate (the final LCP is the heading).
@pytest.mark.only_browser("chromium")
@pytest.mark.parametrize("path,lang", PAGES)
def test_banner_is_never_the_largest_contentful_paint(page, site, path, lang):
    page.set_viewport_size({"width": 412, "height": 823})  # Lighthouse's mobile screen
    page.goto(site.page(path))
    expect(page.locator(".cw-banner")).to_be_visible()
    entries = page.evaluate(LCP_ENTRIES)
    assert entries, "no largest-contentful-paint reported"
    assert not any(e["inBanner"] for e in entries), entries


@pytest.mark.parametrize("path,lang", PAGES)
def test_two_stylesheets_block_rendering(site, path, lang):
    """Material's own and the site's (site.css and the widget's, in one file)."""
    soup = BeautifulSoup(site.html(path), "html.parser")
    sheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    assert len(sheets) == 2, sheets


@pytest.mark.parametrize("path,lang", PAGES)
def test_no_script_blocks_the_parser(site, path, lang):
    """Material's bundle sat parser-blocking at the end of <body>; every script file is
    deferred now, in document order (Material's first, then the consent widget)."""
    soup = BeautifulSoup(site.html(path), "html.parser")
    scripts = soup.find_all("script", src=True)
    assert scripts and all(s.has_attr("defer") for s in scripts), [str(s) for s in scripts]
    assert "bundle" in scripts[0]["src"] and "consent" in scripts[-1]["src"]
