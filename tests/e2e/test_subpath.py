"""Hosted under a sub-path (https://example.com/policy/): links, assets, 404s and the consent cookie."""

from __future__ import annotations

import json
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from .conftest import PAGES, PageWatch, watch_page
from .fixtures.consent import (
    banner_button,
    decision,
    expect_no_banner,
    open_page,
    wait_for_cookie,
)

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
    assert "\n/policy/privacy/*\n" in headers and "\n/policy/assets/consent." in headers


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
    # The banner's link to the cookie section stays on this site, under the sub-path.
    policy_link = page.get_by_role("region").get_by_role("link")
    expect(policy_link).to_have_attribute("href", "/policy/en/privacy/#cookies")
    page.get_by_role("button", name="Accept all").click()
    cookies = {c["name"]: c for c in page.context.cookies()}
    record = cookies["consent"]
    assert record["path"] == "/policy/"
    assert json.loads(unquote(record["value"]))["how"] == "accept"
    # The footer control leads to this site's own policy, under the sub-path.
    link = page.locator("footer a[data-consent-open]")
    assert link.evaluate("a => a.href") == subpath_site.page("en/privacy/#cookies")
    sub_watch.assert_clean()


def test_a_non_ascii_sub_path_remembers_the_choice(page, unicode_subpath_site):
    """SITE_URL=http://…/ポリシー/: the browser asks for /%E3%83%9D…/, and the cookie's path
    must be that percent-encoded path, or it never comes back (issue 7)."""
    site = unicode_subpath_site
    encoded = urlsplit(site.url).path
    assert encoded == "/%E3%83%9D%E3%83%AA%E3%82%B7%E3%83%BC/", encoded
    watch = watch_page(page, site.url)
    open_page(page, site.page("privacy/"))
    banner_button(page, "ja", "accept_all").click()
    cookie = wait_for_cookie(page.context)
    assert cookie["path"] == encoded, f"the choice is stored for {cookie['path']!r}"
    for path, lang in (("privacy/", "ja"), ("en/privacy/", "en"), ("", "ja")):
        open_page(page, site.page(path))
        expect_no_banner(page, lang)
        assert decision(page)["how"] == "accept", f"/{path} does not know the choice"
    watch.assert_clean()
