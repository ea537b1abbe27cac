"""The site built for production (`SITE_URL`) but opened at another origin: a PR preview, a
staging host, `www` vs the apex, `make build` output served locally. Everything a visitor
clicks must work there; only the head's hreflang/canonical links and the sitemaps name
production."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from tests.conftest import ROOT, Site, build, serve

from .conftest import PAGES, PageWatch, watch_page
from .fixtures.consent import footer_link, policy

pytestmark = pytest.mark.browser

PRODUCTION = "https://prod.example/"


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory) -> Iterator[Site]:
    """Built for https://prod.example/, served at http://127.0.0.1:<port>/."""
    docroot = tmp_path_factory.mktemp("elsewhere")
    server, url = serve(docroot)
    try:
        assert build(docroot, ROOT / "mkdocs.yml", env={"SITE_URL": PRODUCTION}) == 0
        yield Site(root=docroot, url=url)
    finally:
        server.shutdown()


@pytest.fixture
def elsewhere_watch(page, elsewhere) -> PageWatch:
    return watch_page(page, elsewhere.url)


@pytest.mark.parametrize("path,lang", PAGES)
def test_pages_load_clean_at_another_origin(page, elsewhere, elsewhere_watch, path, lang):
    page.goto(elsewhere.page(path), wait_until="networkidle")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.wait_for_timeout(300)  # late fetches (Material's alternate-language lookups)
    elsewhere_watch.assert_clean()


def test_language_switcher_stays_on_the_serving_origin(page, elsewhere, elsewhere_watch):
    page.goto(elsewhere.page("privacy/"))
    for lang, path in (("en", "en/privacy/"), ("ja", "privacy/")):
        page.locator(".md-header__option .md-select").hover()
        page.locator(f".md-select__list a[hreflang={lang}]").click()
        expect(page).to_have_url(elsewhere.page(path))
        expect(page.locator("html")).to_have_attribute("lang", lang)
    elsewhere_watch.assert_clean()


@pytest.mark.parametrize("path,lang", PAGES)
def test_footer_link_opens_the_dialog_at_another_origin(
    page, elsewhere, elsewhere_watch, path, lang
):
    page.goto(elsewhere.page(path))
    page.wait_for_function("() => !!window.consentWidget")
    # Without JavaScript the link leads to this origin's own policy, cookie section.
    href = footer_link(page).evaluate("a => a.href")
    assert href == elsewhere.page(policy(lang)) + "#cookies"
    footer_link(page).click()
    expect(page.locator("dialog.cw-dialog")).to_be_visible()
    page.wait_for_timeout(300)
    expect(page).to_have_url(elsewhere.page(path))
    elsewhere_watch.assert_clean()


@pytest.mark.parametrize("path,lang", PAGES)
def test_head_links_still_name_production(elsewhere, path, lang):
    soup = BeautifulSoup(elsewhere.html(path), "html.parser")
    assert soup.find("link", rel="canonical")["href"] == PRODUCTION + path
    twin = path.removeprefix("en/")
    hreflang = {link["hreflang"]: link["href"] for link in soup.find_all("link", hreflang=True)}
    assert hreflang == {
        "ja": PRODUCTION + twin,
        "en": PRODUCTION + "en/" + twin,
        "x-default": PRODUCTION + twin,
    }
