"""The widget on the real site when the browser gets in the way, and under the site's strict CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import PAGES
from .fixtures.consent import (
    COOKIE,
    LANGS,
    banner,
    banner_button,
    decision,
    dialog,
    dialog_button,
    expect_no_banner,
    footer_link,
    open_page,
    policy,
    ready,
    saved_on,
    stored,
    switch,
    wait_for_cookie,
)

pytestmark = pytest.mark.browser

NOT_FOUND = [("no-such-page/", "ja"), ("en/no-such-page/", "en")]

# Each fault: an init script that breaks one storage, and a check that it really is broken.
FAULTS = {
    # Privacy settings or an extension that silently drops cookie writes (reads still work).
    "cookie-writes-ignored": (
        """(() => {
            const real = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
            Object.defineProperty(Document.prototype, 'cookie', {
                configurable: true,
                get() { return real.get.call(this); },
                set(value) {},
            });
        })();""",
        """() => { document.cookie = 'probe=1; path=/'; return !document.cookie.includes('probe'); }""",
    ),
    # Storage blocked for the site (e.g. "block third-party cookies and site data" in an embed).
    "localStorage-throws": (
        """Object.defineProperty(window, 'localStorage', {
            configurable: true,
            get() { throw new DOMException('The operation is insecure.', 'SecurityError'); },
        });""",
        "() => { try { window.localStorage; return false; } catch (e) { return true; } }",
    ),
    "BroadcastChannel-throws": (
        """window.BroadcastChannel = function () {
            throw new DOMException('The operation is insecure.', 'SecurityError');
        };""",
        "() => { try { new BroadcastChannel('x'); return false; } catch (e) { return true; } }",
    ),
    # A truncated or hand-edited record.
    "corrupt-cookie": (None, "() => document.cookie.includes('%7Bbad')"),
}


# 8. Storage faults ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fault", FAULTS)
def test_storage_faults_leave_the_widget_working(page, site, watch, fault, lang):
    script, broken = FAULTS[fault]
    if script:
        page.add_init_script(script)
    if fault == "corrupt-cookie":
        page.context.add_cookies([{"name": COOKIE, "value": "%7Bbad", "url": site.url}])
    open_page(page, site.page(policy(lang)))
    assert page.evaluate(broken), f"the fault {fault} was not in effect"

    expect(banner(page, lang), f"with {fault} the visitor gets no banner").to_be_visible()
    assert decision(page) is None
    banner_button(page, lang, "accept_all").click()
    expect(
        page.locator(".cw-banner"), f"with {fault} Accept all does not close the banner"
    ).to_be_hidden()
    held = decision(page)
    assert held and held["how"] == "accept", f"with {fault} the choice was not kept: {held}"

    # The rest of the visit knows the choice.
    footer_link(page).click()
    expect(dialog(page, lang).get_by_text(saved_on(held["ts"], lang), exact=True)).to_be_visible()
    expect(switch(page, lang, "advertising")).to_be_checked()
    dialog_button(page, lang, "reject_all").click()
    assert decision(page)["how"] == "reject"

    if fault == "cookie-writes-ignored":
        assert stored(page.context) is None, "a cookie was stored although writes are dropped"
    else:
        wait_for_cookie(page.context, lambda c: "reject" in c["value"])
        assert stored(page.context)["how"] == "reject"
    watch.assert_clean()


# 10. The site's CSP ---------------------------------------------------------------------


@pytest.mark.parametrize("path,lang", PAGES + NOT_FOUND)
def test_widget_runs_under_the_site_csp_on_every_page(page, site, watch, path, lang):
    watch.expected_missing.add(site.page(path))
    response = page.goto(site.page(path))
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "style-src 'self'" in csp, f"no strict CSP: {csp!r}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, csp
    ready(page)

    expect(banner(page, lang), f"/{path} shows no banner").to_be_visible()
    banner_button(page, lang, "settings").click()
    box = dialog(page, lang)
    expect(box).to_be_visible()
    for summary in box.locator("summary").all():
        summary.click()
    expect(box.get_by_role("link").first).to_be_visible()
    dialog_button(page, lang, "accept_all").click()
    expect(box).to_be_hidden()
    expect(page.locator(".cw-banner")).to_be_hidden()
    assert decision(page)["how"] == "accept"
    watch.assert_clean()


def test_footer_link_targets_the_policy_of_the_page_language(page, site):
    for path, lang in PAGES:
        page.goto(site.page(path))
        href = footer_link(page).evaluate("a => a.href")  # written relative, resolved here
        assert href == site.page(policy(lang)) + "#cookies"
    assert set(LANGS) == {lang for _, lang in PAGES}


# A wrong clock -------------------------------------------------------------------------

# A machine whose clock was reset (a dead battery, a fresh VM): at or before the epoch the
# record's `ts` is 0 or negative, and the choice must survive it all the same.
WRONG_CLOCKS = {"epoch": 0, "1969": -86_400_000 * 200}


@pytest.mark.only_browser("chromium")  # the record's own rule: engine-independent
@pytest.mark.parametrize("clock", WRONG_CLOCKS)
def test_a_clock_at_or_before_1970_keeps_the_choice(page, site, watch, clock):
    # Fixed: Date.now() stays there; the page's timers still run.
    page.clock.set_fixed_time(WRONG_CLOCKS[clock])
    open_page(page, site.page(policy("en")))
    assert page.evaluate("Date.now()") <= 0, "the page's clock was not set"
    banner_button(page, "en", "reject_all").click()
    assert decision(page)["ts"] <= 0
    wait_for_cookie(page.context, lambda c: "reject" in c["value"])
    page.reload()
    expect_no_banner(page, "en")
    held = decision(page)
    assert held and held["how"] == "reject", f"the choice was lost on reload: {held}"
    watch.assert_clean()
