"""What a visitor sees in a real Chromium: navigation, search, accessibility, layout, print."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .accessibility import axe_results
from .conftest import PAGES

pytestmark = pytest.mark.browser

NOT_FOUND = [("no-such-page/", "ja"), ("en/no-such-page/", "en")]


@pytest.mark.parametrize("path,lang", PAGES + NOT_FOUND)
def test_page_loads_clean_and_accessible(page, site, watch, path, lang):
    watch.expected_missing.add(site.page(path))
    response = page.goto(site.page(path), wait_until="networkidle")
    assert response.status == (404 if "no-such-page" in path else 200)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    results = axe_results(page)
    assert results.violations_count == 0, results.generate_report()
    page.wait_for_timeout(300)  # let late fetches (Material's sitemap lookups) finish
    watch.assert_clean()


def open_language_menu(page):
    page.locator(".md-header__option .md-select").hover()


def test_language_switcher_keeps_the_page(page, site, watch):
    page.goto(site.page("privacy/"))
    open_language_menu(page)
    page.locator(".md-select__list a[hreflang=en]").click()
    expect(page).to_have_url(site.page("en/privacy/"))
    expect(page.locator("h1")).to_contain_text("Personal Information")
    open_language_menu(page)
    page.locator(".md-select__list a[hreflang=ja]").click()
    expect(page).to_have_url(site.page("privacy/"))
    expect(page.locator("h1")).to_contain_text("個人情報の取り扱いについて")
    watch.assert_clean()


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_footnotes_jump_and_return(page, site, prefix):
    page.goto(site.page(prefix + "privacy/"))
    for n in range(1, 6):
        page.locator(f'a.footnote-ref[href="#fn:{n}"]').click()
        expect(page).to_have_url(re.compile(rf"#fn:{n}$"))
        expect(page.locator(f'[id="fn:{n}"]')).to_be_in_viewport()
        page.locator(f'[id="fn:{n}"] a.footnote-backref').click()
        expect(page).to_have_url(re.compile(rf"#fnref:{n}$"))
        expect(page.locator(f'[id="fnref:{n}"]')).to_be_in_viewport()


def test_in_page_link_reaches_the_joint_use_policy(page, site):
    page.goto(site.page("privacy/"))
    page.get_by_role("link", name="「共同利用プライバシーポリシー」").click()
    expect(page).to_have_url(re.compile(r"#joint-use-policy$"))
    expect(page.locator("#joint-use-policy")).to_be_in_viewport()


def search(page, query: str):
    field = page.locator("input.md-search__input")
    field.click()
    field.fill(query)
    field.press("End")  # Material searches on key presses, not on fill()
    return page.locator(".md-search-result__item")


@pytest.mark.parametrize("query", ["個人情報", "共同利用", "オプトアウト", "一般送配電事業者"])
def test_japanese_search_finds_the_policy(page, site, watch, query):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site.page(""))
    results = search(page, query)
    expect(results.first).to_be_visible()
    hrefs = [a.get_attribute("href") for a in page.locator(".md-search-result__link").all()]
    assert any(re.search(r"(^|/)privacy/", h) and "/en/" not in h for h in hrefs), hrefs
    watch.assert_clean()


@pytest.mark.parametrize("query", ["personal information", "cookies", "opt out"])
def test_english_search_finds_the_policy(page, site, query):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site.page("en/"))
    results = search(page, query)
    expect(results.first).to_be_visible()
    hrefs = [a.get_attribute("href") for a in page.locator(".md-search-result__link").all()]
    assert any("en/privacy/" in h for h in hrefs), hrefs


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path,lang", PAGES)
def test_usable_at_phone_and_desktop_width(page, site, artifacts, width, path, lang):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site.page(path), wait_until="networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than a {width}px screen"
    expect(page.locator("article h1")).to_be_visible()
    name = (path.strip("/").replace("/", "-") or "home") + f"-{lang}-{width}"
    page.screenshot(path=artifacts / f"{name}.png", full_page=True)


@pytest.mark.only_browser("chromium")  # print emulation has no effect in Firefox over BiDi
@pytest.mark.parametrize("prefix", ["", "en/"])
def test_print_shows_the_text_without_chrome(page, site, prefix):
    page.goto(site.page(prefix + "privacy/"))
    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-sidebar--primary", ".md-footer"):
        expect(page.locator(chrome).first).to_be_hidden()
    expect(page.locator("article h1")).to_be_visible()
    expect(page.locator("#fn\\:5")).to_be_visible()
    # On paper too, an English copy says that the Japanese original prevails.
    notice = page.locator(".translation-notice")
    if prefix:
        expect(notice).to_be_visible()
    else:
        expect(notice).to_have_count(0)


def test_english_pages_show_the_translation_notice_first(page, site, watch):
    page.goto(site.page("en/privacy/"))
    notice = page.locator(".translation-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("the Japanese original prevails")
    # Above the page's own heading, so a reader meets it before the text it qualifies.
    heading = page.locator("article h1")
    assert notice.bounding_box()["y"] < heading.bounding_box()["y"]
    page.goto(site.page("privacy/"))
    expect(page.locator("article h1")).to_be_visible()
    expect(page.locator(".translation-notice")).to_have_count(0)
    watch.assert_clean()


@pytest.mark.parametrize(
    "prefix,query,other",
    [("en/", "共同利用", "ja"), ("", "personal information", "en"), ("", "Handling", "en")],
)
def test_search_returns_only_pages_in_the_readers_language(page, site, watch, prefix, query, other):
    """A term found only in the other language's pages finds nothing here."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site.page(prefix))
    search(page, query)
    meta = page.locator(".md-search-result__meta")
    expect(meta).not_to_have_text(re.compile("^$|初期化|Initializing", re.I))
    hrefs = [a.get_attribute("href") for a in page.locator(".md-search-result__link").all()]
    other_language = [h for h in hrefs if ("/en/" in h) == (other == "en")]
    assert not other_language, f"{other} pages found from /{prefix}: {other_language}"
    watch.assert_clean()
