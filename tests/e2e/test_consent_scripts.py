"""What the widget lets run and what it removes: gated tags, vendor cookies, Consent Mode signals,
and registry text that must never become markup.

The real site has no tags yet, so the gated-script tests use a small fixture page served by the
same test server, next to the built site (site.root/_fixtures/), with the site's real built
widget asset. Nothing is written into docs/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from consent_widget import registry as registry_module
from consent_widget import render
from consent_widget.render import located_in, opt_out_label

from .fixtures.consent import (
    LANGS,
    REGISTRY,
    banner,
    banner_button,
    built_asset,
    consent_mode,
    copy_fixture,
    data_layer,
    decision,
    dialog,
    dialog_button,
    footer_link,
    open_page,
    policy,
    ready,
    switch,
    title,
    words,
    write_fixture,
)

pytestmark = pytest.mark.browser

TAG_HOST = "https://ads.example.test"
AD_TAG = f"{TAG_HOST}/tag.js"
# What the fake ad tag does when it runs: note itself and the consent signals it found.
AD_TAG_BODY = """
(window.__ran = window.__ran || []).push('ads');
window.__adsSaw = (window.dataLayer || []).map(a => [a[0], a[1], a[2] && a[2].ad_storage]);
"""
# Document order of the gated scripts on the fixture page, once everything is allowed.
ALL_ALLOWED = ["necessary", "analytics", "ads", "advertising"]


@pytest.fixture(scope="module")
def gated_page(site) -> str:
    copy_fixture(site, "consent_gated.js")
    return write_fixture(
        site,
        "consent_gated.html",
        "consent_gated.html",
        js=built_asset(site, "js", "en"),
        css=built_asset(site, "css"),
        ads=AD_TAG,
    )


class AdHost:
    """The third-party tag host, faked with page.route: every request to it is counted."""

    def __init__(self, page, page_url: str):
        self.requests: list[str] = []
        self.page = page
        page.route(AD_TAG, self._serve_tag)
        page.route(page_url, self._page_with_tag_host_in_csp)

    def _serve_tag(self, route) -> None:
        self.requests.append(route.request.url)
        route.fulfill(
            status=200,
            content_type="text/javascript",
            # The placeholder asks for crossorigin=anonymous: the host must allow CORS.
            headers={"Access-Control-Allow-Origin": "*"},
            body=AD_TAG_BODY,
        )

    @staticmethod
    def _page_with_tag_host_in_csp(route) -> None:
        # The site's CSP (`script-src 'self' …`) would block any third-party tag. A real deployment
        # that adds a tag lists its host in script-src; this fixture page does the same, on top of
        # the site's own header, so the widget is tested under the CSP it will really have.
        response = route.fetch()
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp, f"the site's CSP changed: {csp}"
        csp = csp.replace("script-src 'self'", f"script-src 'self' {TAG_HOST}", 1)
        route.fulfill(
            response=response, headers={**response.headers, "content-security-policy": csp}
        )

    def assert_not_loaded(self, when: str) -> None:
        # The widget requests a tag only by inserting its <script>: the DOM shows it synchronously.
        inserted = self.page.locator(f'script[src="{AD_TAG}"]').count()
        waiting = self.page.locator('script[type="text/plain"][data-consent="advertising"]').count()
        assert inserted == 0 and waiting == 2, (
            f"{when}: the ad tag was inserted before the visitor allowed advertising"
        )
        assert self.requests == [], f"{when}: the ad host was contacted: {self.requests}"


def ran(page) -> list[str]:
    return page.evaluate("() => window.__ran || []")


def wait_ran(page, names: list[str]) -> None:
    page.wait_for_function(
        "n => (window.__ran || []).length >= n && document.readyState === 'complete'",
        arg=len(names),
    )
    assert ran(page) == names, f"scripts ran as {ran(page)}, expected {names} (document order)"


def allow_only_foreign(watch, *urls: str) -> None:
    watch.foreign[:] = [u for u in watch.foreign if u not in urls]


# 5. Gated scripts -----------------------------------------------------------------------


def test_ad_tag_is_never_requested_before_opt_in(page, site, watch, gated_page):
    ads = AdHost(page, gated_page)
    # The widget inserts allowed tags synchronously as it starts: once it ran, the DOM tells.
    # (No "networkidle": Firefox over BiDi never reports it for a page fulfilled by a route.)
    open_page(page, gated_page)
    wait_ran(page, ["necessary"])
    ads.assert_not_loaded("first visit")

    page.reload()
    ready(page)
    wait_ran(page, ["necessary"])
    ads.assert_not_loaded("reload")

    banner_button(page, "en", "reject_all").click()
    expect(banner(page, "en")).to_be_hidden()
    assert ran(page) == ["necessary"], f"Reject all let scripts run: {ran(page)}"
    ads.assert_not_loaded("after Reject all")

    footer_link(page).click()
    switch(page, "en", "analytics").check()
    expect(switch(page, "en", "advertising")).not_to_be_checked()
    dialog_button(page, "en", "save").click()
    wait_ran(page, ["necessary", "analytics"])
    ads.assert_not_loaded("after allowing analytics only")

    page.reload()
    ready(page)
    wait_ran(page, ["necessary", "analytics"])
    ads.assert_not_loaded("reload with analytics only")
    watch.assert_clean()


def test_accept_loads_the_ad_tag_once_after_the_consent_signal(page, site, watch, gated_page):
    ads = AdHost(page, gated_page)
    open_page(page, gated_page)
    wait_ran(page, ["necessary"])
    banner_button(page, "en", "accept_all").click()
    wait_ran(page, ALL_ALLOWED)
    assert ads.requests == [AD_TAG], f"the ad tag was requested {len(ads.requests)} times"
    # Google's tags read the consent state when they start: the update must come first.
    assert page.evaluate("window.__adsSaw") == [
        ["consent", "default", "denied"],
        ["consent", "update", "granted"],
    ], "the ad tag ran before it was told that ad storage is granted"
    tag = page.locator(f'script[src="{AD_TAG}"]')
    expect(tag).to_have_count(1)
    expect(tag).to_have_attribute("id", "ads-tag")
    expect(tag).to_have_attribute("crossorigin", "anonymous")
    assert tag.get_attribute("type") is None and tag.get_attribute("data-consent") is None

    # Choosing again (the same or more) runs nothing twice on this page.
    footer_link(page).click()
    dialog_button(page, "en", "accept_all").click()
    expect(dialog(page, "en")).to_be_hidden()
    assert ran(page) == ALL_ALLOWED, f"scripts ran again: {ran(page)}"
    expect(tag).to_have_count(1)
    assert len(ads.requests) == 1, f"the ad tag was requested {len(ads.requests)} times"

    # Every later page load while opted in runs the tags at load, in document order.
    page.reload()
    ready(page)
    wait_ran(page, ALL_ALLOWED)
    assert len(ads.requests) == 2, f"{len(ads.requests)} requests after one reload"
    expect(banner(page, "en")).to_have_count(0)
    allow_only_foreign(watch, AD_TAG)
    watch.assert_clean()


# 6. Opting out deletes the vendors' cookies ---------------------------------------------


@pytest.mark.parametrize("how", ["reject", "settings"])
def test_opting_out_deletes_the_vendors_cookies(page, site, watch, how):
    page.context.add_cookies(
        [
            {"name": name, "value": "1", "url": site.url}
            for name in ("_ga", "_gcl_au", "_gax", "site_pref")
        ]
    )
    open_page(page, site.page("privacy/"))
    # As a tag sets them: from script, on path=/.
    page.evaluate("() => { document.cookie = '_ga_ABC123=GS1.1; path=/; max-age=3600'; }")
    before = cookie_names(page)
    assert {"_ga", "_ga_ABC123", "_gcl_au", "_gax", "site_pref"} <= before, before

    if how == "reject":
        banner_button(page, "ja", "reject_all").click()
        expected = {"consent", "_gax", "site_pref"}
    else:
        banner_button(page, "ja", "settings").click()
        switch(page, "ja", "analytics").check()
        switch(page, "ja", "advertising").uncheck()
        dialog_button(page, "ja", "save").click()
        expected = {"consent", "_ga", "_ga_ABC123", "_gax", "site_pref"}
    expect(page.locator(".cw-banner")).to_be_hidden()
    left = cookie_names(page)
    assert left == expected, (
        f"after opting out the browser still holds {sorted(left - expected)} "
        f"and lost {sorted(expected - left)}"
    )
    watch.assert_clean()


def cookie_names(page) -> set[str]:
    return {
        part.split("=", 1)[0] for part in page.evaluate("() => document.cookie").split("; ") if part
    }


# 7. Google Consent Mode -----------------------------------------------------------------


def test_consent_mode_signals_follow_the_choice(page, site, watch):
    open_page(page, site.page("privacy/"))
    layer = data_layer(page)
    assert len(layer) == 1, f"dataLayer before any choice: {layer}"
    first = layer[0]["value"]
    assert first[:2] == ["consent", "default"], f"the first dataLayer entry is {first}"
    signals = {k: v for k, v in first[2].items() if k != "wait_for_update"}
    assert signals == consent_mode("denied"), f"the default is not 'all denied': {first[2]}"

    banner_button(page, "ja", "accept_all").click()
    layer = data_layer(page)
    assert [e["value"] for e in layer[1:]] == [["consent", "update", consent_mode("granted")]], (
        layer
    )

    footer_link(page).click()
    dialog_button(page, "ja", "reject_all").click()
    assert data_layer(page)[-1]["value"] == ["consent", "update", consent_mode("denied")]

    footer_link(page).click()
    switch(page, "ja", "analytics").check()
    dialog_button(page, "ja", "save").click()
    mixed = {
        signal: "granted" if "analytics" in categories else "denied"
        for signal, categories in REGISTRY.consent_mode.items()
    }
    assert data_layer(page)[-1]["value"] == ["consent", "update", mixed]
    assert all(e["args"] for e in data_layer(page)), (
        "dataLayer holds arrays, not Arguments objects: gtag.js would ignore the consent commands"
    )

    # The next page load starts denied again, then applies the stored choice at once.
    page.reload()
    ready(page)
    layer = data_layer(page)
    assert [e["value"][:2] for e in layer] == [["consent", "default"], ["consent", "update"]]
    assert layer[1]["value"][2] == mixed
    assert all(e["args"] for e in layer)
    watch.assert_clean()


# 9. Registry text is text -----------------------------------------------------------------

MARKUP = "<img src=x onerror=window.__pwned=1>"
MARKUP_REGISTRY = f"""
revision: 1
languages: [ja, en]
texts:
  en:
    banner_title: 'Cookies {MARKUP}'
    banner_text: 'Read this </script><script>window.__pwned=2</script> <b>bold</b>'
categories:
  - id: necessary
    required: true
    title: {{ja: 必須, en: 'Needed <svg onload=window.__pwned=3>'}}
    description: {{ja: 必須です, en: 'Always on'}}
  - id: advertising
    gpc_opt_out: true
    title: {{ja: 広告, en: 'Ads {MARKUP}'}}
    description: {{ja: 広告です, en: 'Ads <iframe srcdoc="<script>parent.__pwned=4</script>">'}}
vendors:
  - id: adco
    category: advertising
    service: {{ja: 広告社, en: 'AdCo {MARKUP}'}}
    operator: {{ja: 広告社, en: 'AdCo <a href="javascript:window.__pwned=5">Inc</a>'}}
    data: {{ja: 識別子, en: Identifiers}}
    purpose: {{ja: 広告, en: Ads}}
    opt_out_url: https://adco.example.test/opt-out
    privacy_url: https://adco.example.test/privacy
    cookies: [adco]
"""


def test_registry_strings_with_markup_show_as_text(page, site, watch):
    registry = registry_module.parse(MARKUP_REGISTRY, "markup.yml")
    assets = render.build_assets(registry, "en")
    folder = site.root / "_fixtures" / "markup"
    folder.mkdir(parents=True, exist_ok=True)
    for asset in (assets.js, assets.css):
        (folder / asset.name).write_bytes(asset.content)
    url = write_fixture(
        site,
        "markup/index.html",
        "consent_markup.html",
        lang="en",
        js=assets.js.name,
        css=assets.css.name,
    )

    # Served without the site's CSP: the CSP would block inline handlers and hide the bug.
    def without_csp(route):
        response = route.fetch()
        headers = {k: v for k, v in response.headers.items() if k != "content-security-policy"}
        route.fulfill(response=response, headers=headers)

    page.route(url, without_csp)
    open_page(page, url)
    # Control: on this page an injected handler really would run.
    page.evaluate(
        """() => document.body.insertAdjacentHTML('beforeend',
            '<img id=control src="data:," onerror="window.__control = 1">')"""
    )
    page.wait_for_function("() => window.__control === 1")
    page.evaluate("() => document.getElementById('control').remove()")

    t = registry.texts["en"]
    region = page.get_by_role("region", name=t["banner_title"])
    expect(region, "the banner title lost its literal text").to_be_visible()
    expect(region.get_by_role("heading")).to_have_text(t["banner_title"])
    expect(region.locator("p")).to_have_text(t["banner_text"])
    region.get_by_role("button", name=t["settings"]).click()
    box = page.get_by_role("dialog")
    expect(box).to_be_visible()
    for text in (
        registry.category("necessary").title["en"],
        registry.category("advertising").title["en"],
        registry.category("advertising").description["en"],
    ):
        expect(
            box.get_by_text(text, exact=False).first, f"{text!r} is not shown as text"
        ).to_be_visible()
    for summary in box.locator("summary").all():
        summary.click()
    vendor = registry.vendors[0]
    expect(box.get_by_role("heading", name=vendor.service["en"])).to_be_visible()
    expect(box.get_by_text(vendor.operator["en"])).to_be_visible()

    made = page.locator(
        ".cw-banner img, .cw-banner script, .cw-banner b, .cw-dialog img, .cw-dialog svg,"
        " .cw-dialog iframe, .cw-dialog a[href^='javascript:']"
    )
    expect(made, "registry text became markup").to_have_count(0)
    assert page.evaluate("() => window.__pwned") is None, "registry text ran as script"
    watch.assert_clean()


# The policy page's vendor table is rendered at build time; its texts are escaped there.
@pytest.mark.parametrize("lang", LANGS)
def test_dialog_lists_every_vendor_of_each_purpose(page, site, watch, lang):
    open_page(page, site.page(policy(lang)))
    footer_link(page).click()
    box = dialog(page, lang)
    for summary in box.locator("summary").all():
        summary.click()
    for category in REGISTRY.categories:
        label = re.compile("^" + re.escape(title(category.id, lang)))
        section = box.locator("section").filter(has=page.get_by_role("switch", name=label))
        for vendor in REGISTRY.vendors_of(category.id):
            name = vendor.service[lang]
            expect(section.get_by_role("heading", name=name, exact=True)).to_be_visible()
            # Each vendor's own pages in the page's language, with the note on its opt-out page.
            entry = section.locator("div").filter(
                has=page.get_by_role("heading", name=name, exact=True)
            )
            t = words(lang)
            # Its words say what the page is: "How to opt out" for an explanation page, and
            # the page's language where it has none in this one ("Opt out (in Japanese)").
            expect(
                entry.get_by_role(
                    "link", name=re.compile("^" + re.escape(opt_out_label(REGISTRY, vendor, lang)))
                )
            ).to_have_attribute("href", vendor.opt_out_url[lang])
            # Where the recipient is: a second description of the recipient.
            expect(entry.locator("dd").nth(1)).to_have_text(located_in(REGISTRY, vendor, lang))
            expect(
                entry.get_by_role("link", name=re.compile("^" + t["privacy_policy"]))
            ).to_have_attribute("href", vendor.privacy_url[lang])
            if vendor.opt_out_note:
                expect(entry).to_contain_text(vendor.opt_out_note[lang])
    assert decision(page) is None, "opening the settings made a decision"
    watch.assert_clean()
