"""Hosted under a sub-path (https://example.com/policy/): links, assets, 404s and the consent cookie."""

from __future__ import annotations

import json
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from .conftest import PAGES, PageWatch, watch_page

pytestmark = pytest.mark.browser


@pytest.fixture
def sub_watch(page, subpath_site) -> PageWatch:
    return watch_page(page, subpath_site.url)


def test_every_link_and_asset_stays_under_the_sub_path(subpath_site):
    for path, _lang in PAGES:
        soup = BeautifulSoup(subpath_site.html(path), "html.parser")
        for tag, attr in (("a", "href"), ("link", "href"), ("script", "src")):
            for element in soup.find_all(tag, attrs={attr: True}):
                target = urljoin(subpath_site.page(path), element[attr])
                if urlsplit(target).netloc != urlsplit(subpath_site.url).netloc:
                    continue  # external pages (vendors' opt-out pages, the legal text's links)
                assert target.startswith(subpath_site.url), (
                    f"{path}: {tag} {element[attr]} → {target}"
                )
    headers = (subpath_site.root / "_headers").read_text()
    assert "\n/policy/privacy/\n" in headers and "\n/policy/assets/consent." in headers


@pytest.mark.parametrize("path,lang", PAGES)
def test_pages_load_clean_under_the_sub_path(page, subpath_site, sub_watch, path, lang):
    response = page.goto(subpath_site.page(path), wait_until="networkidle")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator(".cw-banner")).to_be_visible()
    page.wait_for_timeout(300)  # Material's sitemap lookups
    sub_watch.assert_clean()


def test_404_under_the_sub_path(page, subpath_site, sub_watch):
    sub_watch.expected_missing.add(subpath_site.page("en/missing/"))
    response = page.goto(subpath_site.page("en/missing/"), wait_until="networkidle")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    sub_watch.assert_clean()


def test_switcher_and_consent_cookie_under_the_sub_path(page, subpath_site, sub_watch):
    page.goto(subpath_site.page("privacy/"))
    page.locator(".md-header__option .md-select").hover()
    page.locator(".md-select__list a[hreflang=en]").click()
    expect(page).to_have_url(subpath_site.page("en/privacy/"))
    page.get_by_role("button", name="Accept all").click()
    cookies = {c["name"]: c for c in page.context.cookies()}
    record = cookies["consent"]
    assert record["path"] == "/policy/"
    assert json.loads(unquote(record["value"]))["how"] == "accept"
    # The footer control leads to this site's own policy, under the sub-path.
    link = page.locator("footer a[data-consent-open]")
    assert link.evaluate("a => a.href") == subpath_site.page("en/privacy/#cookies")
    sub_watch.assert_clean()
