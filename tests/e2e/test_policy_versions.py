"""Policy versions in a real Chromium, both languages: history, comparison, archive, banner.

A fixture project (tests/versioned_project.py) releases a second version with one Japanese and
one English sentence changed and `revision` raised, and is served under a sub-path.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS, Site, build, serve
from tests.versioned_project import (
    EN_NEW,
    FIRST,
    JA_NEW,
    REVISION,
    SECOND,
    SUMMARY,
    copy_project,
    release_second_version,
)

from .accessibility import axe_results
from .conftest import watch_page
from .fixtures.consent import banner, ready, record_cookie

# Chromium only: the history pages carry no browser-specific behaviour; Chromium keeps the suite's time.
pytestmark = [pytest.mark.browser, pytest.mark.only_browser("chromium")]

PREFIX = {"ja": "", "en": "en/"}
NEW_SENTENCE = {"ja": JA_NEW, "en": EN_NEW}
HISTORY = {"ja": "改定履歴", "en": "Version history"}
COMPARE_PREVIOUS = {"ja": "前の版との比較", "en": "Compare with the previous version"}
CHANGED_ON = {"ja": "2027年4月1日", "en": "April 1, 2027"}
FEED_TITLE = {"ja": "プライバシーポリシーの改定履歴", "en": "Privacy policy version history"}


@pytest.fixture(scope="module")
def versioned_site(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("versioned") / "project")
    release_second_version(project)
    docroot = tmp_path_factory.mktemp("versioned-host")
    server, url = serve(docroot, "/policy/")
    try:
        out = docroot / "policy"
        assert build(out, project / "mkdocs.yml", env={"SITE_URL": url}) == 0
        yield Site(root=out, url=url)
    finally:
        server.shutdown()


@pytest.fixture
def vwatch(page, versioned_site):
    return watch_page(page, versioned_site.url)


def assert_accessible(page):
    results = axe_results(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("lang", PREFIX)
def test_from_the_policy_page_through_the_history_to_the_comparison(
    page, versioned_site, vwatch, lang
):
    page.goto(versioned_site.page(PREFIX[lang] + "privacy/"))
    dates = page.locator(".policy-dates")
    expect(dates.locator("time")).to_have_count(2)
    expect(dates.locator("time").last).to_have_attribute("datetime", SECOND)
    dates.get_by_role("link", name=HISTORY[lang]).click()

    expect(page).to_have_url(versioned_site.page(PREFIX[lang] + "history/"))
    versions = page.locator("ol.policy-history > li")
    expect(versions).to_have_count(2)
    expect(versions.first.locator("h2 time")).to_have_attribute("datetime", SECOND)
    expect(versions.first).to_contain_text(SUMMARY[lang])
    expect(versions.last.locator("h2 time")).to_have_attribute("datetime", FIRST)
    assert_accessible(page)
    versions.first.get_by_role("link", name=COMPARE_PREVIOUS[lang]).click()

    expect(page).to_have_url(
        versioned_site.page(f"{PREFIX[lang]}history/{FIRST}..{SECOND}/privacy/")
    )
    changed = page.locator(".policy-diff .policy-diff__changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("del").first).to_be_visible()
    expect(changed.locator("ins").first).to_be_visible()
    expect(page.locator(".policy-diff del, .policy-diff ins")).to_have_count(
        changed.locator("del, ins").count()
    )
    # What a sighted reader sees once the removed parts are struck out: the new sentence.
    shown_now = changed.evaluate(
        "el => { const c = el.cloneNode(true);"
        " c.querySelectorAll('del, .policy-sr').forEach(n => n.remove()); return c.textContent; }"
    )
    assert shown_now == NEW_SENTENCE[lang]
    # The jump list leads to the change.
    page.locator(".policy-diff-changes a").first.click()
    expect(changed).to_be_in_viewport()
    assert_accessible(page)
    vwatch.assert_clean()


def test_the_language_switch_keeps_the_comparison(page, versioned_site, vwatch):
    path = f"history/{FIRST}..{SECOND}/privacy/"
    page.goto(versioned_site.page(path))
    page.locator(".md-header__option .md-select").hover()
    page.locator(".md-select__list a[hreflang=en]").click()
    expect(page).to_have_url(versioned_site.page("en/" + path))
    expect(page.locator(".policy-diff__changed")).to_have_count(1)
    vwatch.assert_clean()


@pytest.mark.parametrize("lang", PREFIX)
def test_the_comparison_prints_its_marks(page, versioned_site, lang):
    page.goto(versioned_site.page(f"{PREFIX[lang]}history/{FIRST}..{SECOND}/privacy/"))
    page.emulate_media(media="print")
    expect(page.locator(".policy-diff-changes")).to_be_hidden()
    expect(page.locator(".md-sidebar--primary")).to_be_hidden()
    style = "(el, prop) => getComputedStyle(el)[prop]"
    removed = page.locator(".policy-diff__changed del").first
    added = page.locator(".policy-diff__changed ins").first
    # Struck and underlined on paper too, where background colours may not print.
    assert "line-through" in removed.evaluate(style, "textDecorationLine")
    assert "underline" in added.evaluate(style, "textDecorationLine")
    assert removed.evaluate(style, "printColorAdjust") == "exact"


@pytest.mark.parametrize("lang", PREFIX)
def test_screen_readers_are_told_what_was_removed_and_added(page, versioned_site, lang):
    page.goto(versioned_site.page(f"{PREFIX[lang]}history/{FIRST}..{SECOND}/privacy/"))
    changed = page.locator(".policy-diff__changed")
    removed_label = {"ja": "［削除：", "en": "[removed: "}[lang]
    added_label = {"ja": "［追加：", "en": "[added: "}[lang]
    # In the accessibility tree (what a screen reader reads), not only in the markup.
    snapshot = changed.aria_snapshot()
    assert removed_label.strip() in snapshot and added_label.strip() in snapshot, snapshot
    # Hidden from sight: the labels take no space on screen.
    box = changed.locator("del .policy-sr").first.bounding_box()
    assert box is None or box["width"] <= 1


@pytest.mark.parametrize("lang", PREFIX)
def test_an_archived_version_says_it_was_superseded_and_leads_to_the_current_text(
    page, versioned_site, vwatch, lang
):
    page.goto(versioned_site.page(f"{PREFIX[lang]}history/{FIRST}/privacy/"))
    notice = page.locator(".policy-archived")
    expect(notice.locator("time")).to_have_count(2)
    expect(page.locator('meta[name="robots"]')).to_have_attribute("content", "noindex")
    expect(page.locator('link[rel="canonical"]')).to_have_attribute(
        "href", versioned_site.page(PREFIX[lang] + "privacy/")
    )
    assert_accessible(page)
    notice.get_by_role("link").first.click()
    expect(page).to_have_url(versioned_site.page(PREFIX[lang] + "privacy/"))
    vwatch.assert_clean()


@pytest.mark.parametrize("lang", PREFIX)
def test_banner_says_the_policy_changed_when_it_asks_again(page, versioned_site, vwatch, lang):
    page.context.add_cookies([record_cookie(versioned_site, rev=1)])
    page.goto(versioned_site.page(PREFIX[lang]))
    ready(page)
    bar = banner(page, lang)
    expect(bar).to_be_visible()
    expect(bar).to_contain_text(CHANGED_ON[lang])
    # axe counts a skip link as one only while no other link comes before it in the page; the
    # banner stays first (the first Tab reaches its choices), so its link makes axe report
    # Material's skip link as content outside landmarks. Anything else fails.
    results = axe_results(page)
    found = [
        (v["id"], node["target"]) for v in results.response["violations"] for node in v["nodes"]
    ]
    assert found in ([], [("region", ['div[data-md-component="skip"]'])]), results.generate_report()
    # A new tab: the banner (and the choice still to make) stays where it is.
    with page.context.expect_page() as opened:
        bar.get_by_role("link", name=CHANGED_ON[lang]).click()
    comparison = opened.value
    comparison.wait_for_load_state()
    assert comparison.url == versioned_site.page(
        f"{PREFIX[lang]}history/{FIRST}..{SECOND}/privacy/"
    )
    expect(bar).to_be_visible()
    vwatch.assert_clean()


@pytest.mark.parametrize("lang", PREFIX)
def test_a_first_visit_banner_does_not_mention_a_change(page, versioned_site, lang):
    page.goto(versioned_site.page(PREFIX[lang]))
    ready(page)
    expect(banner(page, lang)).to_be_visible()
    expect(banner(page, lang)).not_to_contain_text(CHANGED_ON[lang])
    # Its one link is the policy's cookie section, not a comparison of versions.
    links = banner(page, lang).get_by_role("link")
    expect(links).to_have_count(1)
    assert "/history/" not in links.get_attribute("href")


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("lang", PREFIX)
def test_comparison_screenshots(page, versioned_site, lang, width):
    page.set_viewport_size({"width": width, "height": 900})
    # A choice under the current revision: no banner over the text.
    page.context.add_cookies([record_cookie(versioned_site, rev=REVISION)])
    page.goto(versioned_site.page(f"{PREFIX[lang]}history/{FIRST}..{SECOND}/privacy/"))
    ready(page)
    page.locator(".policy-diff__changed").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"compare-{lang}-{width}.png", full_page=False)
    # Nothing wider than the screen: the comparison reads on a phone without side-scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("lang", PREFIX)
def test_the_real_site_lists_its_current_version(page, site, watch, lang):
    page.goto(site.page(PREFIX[lang] + "history/"))
    versions = page.locator("ol.policy-history > li")
    expect(versions).to_have_count(1)
    expect(versions.first.locator("time")).to_have_attribute("datetime", FIRST)
    feed = page.locator('head link[type="application/atom+xml"]')
    response = page.request.get(site.page(PREFIX[lang] + "history/feed.xml"))
    assert response.ok and b"<entry>" in response.body()
    assert feed.get_attribute("href") == "feed.xml"
    assert_accessible(page)
    watch.assert_clean()


@pytest.mark.parametrize("lang", PREFIX)
def test_on_a_phone_the_change_is_the_first_thing_the_banner_says(page, versioned_site, lang):
    """The banner's text scrolls inside it on short screens: the reason for asking again must
    not wait below its fold."""
    page.set_viewport_size({"width": 375, "height": 667})
    page.context.add_cookies([record_cookie(versioned_site, rev=1)])
    page.goto(versioned_site.page(PREFIX[lang]))
    ready(page)
    change = banner(page, lang).get_by_role("link", name=CHANGED_ON[lang])
    expect(change).to_be_in_viewport(ratio=1)


@pytest.mark.parametrize("lang", PREFIX)
def test_the_feed_reads_well_in_a_browser_under_the_sites_csp(page, versioned_site, vwatch, lang):
    """Opened in a browser (a visitor follows the feed link), the Atom feed is styled by the
    site's own stylesheet, not by the browser's XML viewer, which the CSP (`style-src 'self'`)
    would break; its entries link to the changes."""
    page.set_viewport_size({"width": 375, "height": 740})
    response = page.goto(versioned_site.page(f"{PREFIX[lang]}history/feed.xml"))
    assert "style-src 'self'" in response.headers["content-security-policy"]
    feed_title = page.locator("feed > title")
    expect(feed_title).to_have_text(FEED_TITLE[lang])
    assert feed_title.evaluate("e => getComputedStyle(e).display") == "block"
    entries = page.locator("entry a")
    expect(entries).to_have_count(2)  # one per version, newest first
    expect(entries.first).to_be_visible()
    expect(entries.first).to_contain_text(CHANGED_ON[lang])
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"feed-{lang}-375.png")
    entries.first.click()  # the newest version: its comparison with the one before
    expect(page).to_have_url(
        versioned_site.page(f"{PREFIX[lang]}history/{FIRST}..{SECOND}/privacy/")
    )
    vwatch.assert_clean()
