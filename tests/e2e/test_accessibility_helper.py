"""The axe helper judges the page at rest, not a colour halfway through a fade."""

from __future__ import annotations

import pytest

from .accessibility import axe_results

pytestmark = pytest.mark.browser

# Material's header fades the page title in once the reader scrolls past the heading; slowed
# down here so that axe would certainly run while it is half transparent.
# (Through the CSSOM: the site's CSP forbids a style tag.)
SLOW_FADE = (
    "document.querySelectorAll('.md-header__topic')"
    ".forEach(topic => topic.style.transitionDuration = '2s')"
)


@pytest.mark.parametrize("path", ["privacy/", "en/privacy/"])
def test_axe_runs_once_the_header_title_has_faded_in(page, site, path):
    page.goto(site.page(path))
    page.evaluate(SLOW_FADE)
    page.mouse.wheel(0, 1500)
    page.wait_for_selector(".md-header__title--active")
    results = axe_results(page)
    assert results.violations_count == 0, results.generate_report()
