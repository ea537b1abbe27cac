"""The cookie banner on the real site, as a visitor meets it: first visit, choices, their record.

Japanese at /, English at /en/: each page speaks its own language and both share one decision.
"""

from __future__ import annotations

import time
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from consent_widget.render import banner_text, opt_out_label

from .conftest import watch_page
from .fixtures.consent import (
    GPC_SCRIPT,
    LANGS,
    OPTIONAL,
    REGISTRY,
    assert_record,
    banner,
    banner_button,
    consent_cookie,
    decision,
    dialog,
    dialog_button,
    expect_no_banner,
    expected_cats,
    footer_link,
    open_page,
    policy,
    record_cookie,
    saved_on,
    stored,
    switch,
    wait_for_cookie,
    words,
)

pytestmark = pytest.mark.browser

OTHER = {"ja": "en", "en": "ja"}


# 1. First visit ---------------------------------------------------------------------------


@pytest.mark.parametrize("width,height", [(375, 667), (1280, 800)])
@pytest.mark.parametrize("lang", LANGS)
def test_first_visit_shows_the_banner_in_the_page_language(page, site, watch, lang, width, height):
    t = words(lang)
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, site.page(policy(lang)))

    region = banner(page, lang)
    expect(
        region, f"a first-time visitor sees no banner titled {t['banner_title']!r}"
    ).to_be_visible()
    expect(region.get_by_role("heading")).to_have_text(t["banner_title"])
    # The registry's words, then where the recipients abroad are (from the vendors' countries).
    expect(region.locator("p")).to_have_text(f"{banner_text(REGISTRY, lang)} {t['policy_link']}")
    buttons = region.get_by_role("button")
    expect(buttons).to_have_text([t["accept_all"], t["reject_all"], t["settings"]])
    assert decision(page) is None, "a decision exists before the visitor made one"
    assert consent_cookie(page.context) is None, "a consent cookie was set before any choice"

    # Equal prominence: the three choices look alike and have the same size.
    boxes = [b.bounding_box() for b in buttons.all()]
    widths, heights = [b["width"] for b in boxes], [b["height"] for b in boxes]
    assert max(widths) - min(widths) < 1 and max(heights) - min(heights) < 1, (
        f"the choices have different sizes (w×h): {list(zip(widths, heights, strict=True))}"
    )
    assert min(heights) >= 44, f"buttons are {min(heights)}px high: below a 44px touch target"
    looks = buttons.evaluate_all(
        """bs => bs.map(b => { const s = getComputedStyle(b);
            return [b.className, s.backgroundColor, s.color, s.fontSize, s.fontWeight]; })"""
    )
    assert all(look == looks[0] for look in looks), f"one choice is styled differently: {looks}"

    # Not a wall: nothing modal, the page behind is live and scrolls.
    assert page.evaluate("!document.querySelector('dialog[open]') && !document.body.inert")
    page.mouse.move(width / 2, 150)  # over the text, not the banner
    page.mouse.wheel(0, 500)
    page.wait_for_function("() => scrollY > 0")  # a function: the CSP forbids eval()

    # Scrolled to the very bottom, the last content (the footer) sits above the banner, uncovered.
    page.evaluate(
        "window.scrollTo({top: document.documentElement.scrollHeight, behavior: 'instant'})"
    )
    page.wait_for_function(
        "() => Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight"
    )
    bar = region.bounding_box()
    for last in (footer_link(page), page.locator(".md-copyright__highlight")):
        box = last.bounding_box()
        assert box["y"] + box["height"] <= bar["y"] + 0.5, (
            f"at the bottom of the page the banner (top {bar['y']}) covers "
            f"{last.inner_text()!r} (bottom {box['y'] + box['height']})"
        )
    hit = page.evaluate(
        """() => { const r = document.querySelector('footer a[data-consent-open]').getBoundingClientRect();
            const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
            return e && e.closest('footer a[data-consent-open]') !== null; }"""
    )
    assert hit, "the footer's cookie-settings link cannot be clicked: something lies over it"
    watch.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
def test_banner_says_reject_keeps_necessary_cookies_and_links_the_cookie_section(
    page, site, watch, lang
):
    t = words(lang)
    open_page(page, site.page(LANGS[lang]))  # the home page: the link leads to another page
    region = banner(page, lang)
    # "Reject all" is not the browser's "block all cookies": the banner's text explains the
    # button (what stays on), not just the button itself.
    expect(region.locator("p")).to_contain_text(t["reject_all"])
    link = region.get_by_role("link", name=t["policy_link"])
    expect(link).to_be_visible()
    # A link in running text looks like one (Material resets links to look like text).
    assert link.evaluate("a => getComputedStyle(a).textDecorationLine") == "underline"
    link.click()
    expect(page).to_have_url(site.page(policy(lang)) + "#cookies")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#consent-vendors table")).to_be_attached()
    expect(page.locator("#cookies")).to_be_in_viewport()
    watch.assert_clean()


# 2. Choices and their record -----------------------------------------------------------


EVENTS = (
    "window.__events = [];"
    "document.addEventListener('consent:change', e => window.__events.push(e.detail));"
)


@pytest.mark.parametrize("lang,choice", [("ja", "accept"), ("en", "reject")])
def test_choice_is_recorded_and_kept_across_pages_and_languages(page, site, watch, lang, choice):
    page.add_init_script(EVENTS)
    open_page(page, site.page(policy(lang)))
    since = time.time() * 1000
    banner_button(page, lang, f"{choice}_all").click()
    expect(page.locator(".cw-banner"), "the banner stays after the choice").to_be_hidden()
    expect(page.locator(".cw-spacer")).to_be_hidden()

    cookie = wait_for_cookie(page.context)
    record = stored(page.context)
    assert_record(
        record, choice, expected_cats(**dict.fromkeys(OPTIONAL, choice == "accept")), since
    )
    assert cookie["path"] == "/", (
        f"cookie path {cookie['path']}: the other language would ask again"
    )
    assert cookie["sameSite"] == "Lax", cookie
    days = (cookie["expires"] - time.time()) / 86400
    assert abs(days - REGISTRY.max_age_days) < 0.05, (
        f"the choice is kept {days:.1f} days, not {REGISTRY.max_age_days}"
    )
    assert decision(page) == record
    # Tags listening for consent:change hear of the choice once (contract: consent.d.ts).
    assert page.evaluate("() => window.__events") == [record]

    page.reload()
    expect_no_banner(page, lang)
    assert decision(page) == record, "after a reload the widget forgot the choice"
    assert page.evaluate("() => window.__events") == [], "consent:change fired at load"
    for step in (OTHER[lang], lang):
        for path in (LANGS[step], policy(step)):
            open_page(page, site.page(path))
            expect_no_banner(page, step)
            assert decision(page) == record, f"/{path} does not know the choice made in {lang}"
    assert stored(page.context) == record, "moving between the languages changed the record"
    watch.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
def test_settings_record_each_purpose_and_show_it_again(page, site, watch, lang):
    t = words(lang)
    open_page(page, site.page(policy(lang)))
    banner_button(page, lang, "settings").click()
    box = dialog(page, lang)
    expect(box, "Settings opens no dialog").to_be_visible()
    expect(box.get_by_text(t["no_choice"])).to_be_visible()
    necessary = switch(page, lang, "necessary")
    expect(necessary).to_be_checked()
    expect(necessary, "the necessary purpose can be switched off").to_be_disabled()
    for category in OPTIONAL:
        # Before any choice each switch shows the registry's default.
        shown = expect(switch(page, lang, category))
        if REGISTRY.category(category).default:
            shown.to_be_checked()
        else:
            shown.not_to_be_checked()

    switch(page, lang, "analytics").check()
    switch(page, lang, "advertising").uncheck()
    since = time.time() * 1000
    dialog_button(page, lang, "save").click()
    expect(box, "the dialog stays open after Save").to_be_hidden()
    expect(page.locator(".cw-banner")).to_be_hidden()
    wait_for_cookie(page.context)
    record = stored(page.context)
    assert_record(record, "settings", expected_cats(analytics=True, advertising=False), since)

    for reopen in ("now", "after reload"):
        if reopen == "after reload":
            page.reload()
            expect_no_banner(page, lang)
        footer_link(page).click()
        expect(box).to_be_visible()
        expect(necessary).to_be_checked()
        expect(switch(page, lang, "analytics"), f"{reopen}: analytics shown off").to_be_checked()
        expect(switch(page, lang, "advertising"), f"{reopen}: ads shown on").not_to_be_checked()
        expect(box.get_by_text(saved_on(record["ts"], lang), exact=True)).to_be_visible()
        page.keyboard.press("Escape")
        expect(box).to_be_hidden()
    watch.assert_clean()


# 3. A new registry revision asks again ----------------------------------------------------


@pytest.mark.parametrize(
    "revision,asks",
    [(REGISTRY.revision - 1, True), (REGISTRY.revision, False)],
    ids=["older-revision", "current-revision"],
)
def test_a_choice_under_an_older_revision_asks_again(page, site, watch, revision, asks):
    page.context.add_cookies([record_cookie(site, rev=revision)])
    open_page(page, site.page("en/privacy/"))
    if asks:
        expect(
            banner(page, "en"), f"a choice under revision {revision} is taken as still valid"
        ).to_be_visible()
        assert decision(page) is None
    else:
        expect_no_banner(page, "en")
        assert decision(page)["rev"] == REGISTRY.revision
    watch.assert_clean()


# 4. Global Privacy Control ----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_gpc_refuses_advertising_until_the_visitor_allows_it(page, site, watch, lang):
    t = words(lang)
    page.add_init_script(GPC_SCRIPT)
    since = time.time() * 1000
    open_page(page, site.page(policy(lang)))
    wait_for_cookie(page.context)
    assert_record(stored(page.context), "gpc", expected_cats(), since)
    assert decision(page)["cats"]["advertising"] is False
    # GPC covers advertising only: the visitor is still asked about the rest.
    expect(banner(page, lang)).to_be_visible()

    banner_button(page, lang, "settings").click()
    expect(
        switch(page, lang, "advertising"), "with GPC on, advertising shows as allowed"
    ).not_to_be_checked()
    expect(
        dialog(page, lang).get_by_text(t["gpc_notice"]), "no word about the GPC signal"
    ).to_be_visible()

    since = time.time() * 1000
    dialog_button(page, lang, "accept_all").click()
    wait_for_cookie(page.context, lambda c: "accept" in c["value"])
    assert_record(
        stored(page.context), "accept", expected_cats(analytics=True, advertising=True), since
    )
    page.reload()
    expect_no_banner(page, lang)
    assert decision(page)["how"] == "accept", "the explicit choice did not win over GPC"
    footer_link(page).click()
    expect(switch(page, lang, "advertising")).to_be_checked()
    watch.assert_clean()


def test_an_automatic_gpc_record_lapses_when_the_signal_is_off(new_context, site):
    with_gpc = new_context()
    with_gpc.add_init_script(GPC_SCRIPT)
    open_page(with_gpc.new_page(), site.page("privacy/"))
    record = wait_for_cookie(with_gpc)
    assert stored(with_gpc)["how"] == "gpc"

    without = new_context()
    without.add_cookies([{k: record[k] for k in ("name", "value", "domain", "path")}])
    page = without.new_page()
    watch = watch_page(page, site.url)
    open_page(page, site.page("privacy/"))
    expect(
        banner(page, "ja"), "a GPC record still counts after GPC was switched off"
    ).to_be_visible()
    assert decision(page) is None
    watch.assert_clean()


# 15. Without JavaScript -------------------------------------------------------------------


@pytest.mark.parametrize("where", ["footer", "article"])
@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_settings_links_lead_to_the_vendor_table(
    no_script_page, site, lang, where
):
    t = words(lang)
    page = no_script_page
    watch = watch_page(page, site.url)
    page.goto(site.page(LANGS[lang]))
    expect(page.locator(".cw-banner, .cw-dialog")).to_have_count(0)
    link = page.locator(f"{where} a[data-consent-open]")
    expect(link, f"the landing page has no settings link in its {where}").to_have_count(1)
    if where == "footer":
        expect(link).to_have_text(t["footer_link"])
    target = site.page(policy(lang)) + "#cookies"
    assert urljoin(page.url, link.get_attribute("href")) == target, link.get_attribute("href")
    link.click()
    expect(page, "the settings link goes nowhere without JavaScript").to_have_url(target)
    expect(page.locator("#cookies")).to_be_in_viewport()
    # The table belongs to the cookie section: after its heading, before the next one.
    table = page.locator("h2#cookies ~ .cw-disclosure table")
    expect(table, "no vendor table in the cookie section").to_be_visible()
    expect(page.locator("h2#cookies ~ h2 ~ .cw-disclosure")).to_have_count(0)
    for vendor in REGISTRY.vendors:
        row = table.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=vendor.service[lang], exact=True)
        )
        expect(row, f"{vendor.service[lang]} is missing from the table").to_have_count(1)
        opt_out = row.get_by_role("link", name=opt_out_label(REGISTRY, vendor, lang), exact=True)
        expect(opt_out).to_have_attribute("href", vendor.opt_out_url[lang])
        expect(opt_out).to_be_visible()
    assert not watch.foreign and not watch.failed, (watch.foreign, watch.failed)


# 16. Other tabs -------------------------------------------------------------------------


def test_a_choice_in_one_tab_reaches_the_other_tab(page, site, watch):
    other = page.context.new_page()
    other_watch = watch_page(other, site.url)
    open_page(page, site.page("privacy/"))
    open_page(other, site.page("en/privacy/"))
    expect(banner(page, "ja")).to_be_visible()
    expect(banner(other, "en")).to_be_visible()

    page.bring_to_front()
    banner_button(page, "ja", "accept_all").click()
    expect(banner(other, "en"), "the other tab still asks a second later").to_be_hidden(
        timeout=1000
    )
    wait_for_cookie(page.context)
    assert decision(other) == decision(page) == stored(page.context), (
        "the other tab holds a different choice than the one just made"
    )

    # An open settings dialog in the other tab follows a later change too. The visitor acts in
    # the tab in front (a hidden tab gets no animation frames, so clicks there would crawl).
    other.bring_to_front()
    footer_link(other).click()
    expect(switch(other, "en", "advertising")).to_be_checked()
    page.bring_to_front()
    footer_link(page).click()
    dialog_button(page, "ja", "reject_all").click()
    expect(
        switch(other, "en", "advertising"), "the other tab's dialog shows the old choice"
    ).not_to_be_checked(timeout=1000)
    assert decision(other)["how"] == "reject" and decision(other) == decision(page)
    watch.assert_clean()
    other_watch.assert_clean()


# The public API (consent.d.ts) -----------------------------------------------------------


def test_public_api_matches_its_contract(page, site, watch):
    page.add_init_script(EVENTS)
    open_page(page, site.page("en/privacy/"))
    kinds = page.evaluate(
        "() => Object.fromEntries(['get', 'open', 'reset'].map(k => [k, typeof consentWidget[k]]))"
    )
    assert set(kinds.values()) == {"function"}, f"consentWidget lacks functions: {kinds}"
    page.evaluate("() => consentWidget.open()")
    expect(dialog(page, "en"), "consentWidget.open() shows no settings").to_be_visible()
    dialog_button(page, "en", "accept_all").click()
    first = decision(page)

    # reset(): the choice is forgotten everywhere and the visitor is asked again.
    page.evaluate("() => consentWidget.reset()")
    expect(banner(page, "en"), "reset() does not ask again").to_be_visible()
    assert decision(page) is None
    wait_for_cookie_gone(page.context)
    assert page.evaluate("() => window.__events") == [first, None]
    banner_button(page, "en", "reject_all").click()
    assert decision(page)["id"] != first["id"], "a choice after reset() keeps the old consent id"
    watch.assert_clean()


def wait_for_cookie_gone(context, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while consent_cookie(context) is not None:
        assert time.monotonic() < deadline, "reset() left the consent cookie in place"
        time.sleep(0.05)
