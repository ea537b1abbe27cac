"""The widget for keyboard and screen-reader users, on small and zoomed screens, and its looks."""

from __future__ import annotations

import pytest
import yaml
from playwright.sync_api import expect

from consent_widget import registry as registry_module
from consent_widget import render

from .accessibility import axe_results
from .conftest import PAGES, watch_page
from .fixtures.consent import (
    LANGS,
    ROOT,
    banner,
    banner_button,
    decision,
    dialog,
    dialog_button,
    open_page,
    policy,
    ready,
    words,
    write_fixture,
)

pytestmark = pytest.mark.browser

FOCUSED = """() => { const a = document.activeElement;
    return { text: (a.getAttribute('aria-label') || a.textContent.trim()).slice(0, 60), tag: a.tagName, inDialog: !!a.closest('dialog'),
             inBanner: !!a.closest('.cw-banner'), outline: getComputedStyle(a).outlineStyle,
             outlineWidth: getComputedStyle(a).outlineWidth }; }"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def assert_focus_visible(page, what: str) -> None:
    now = focused(page)
    assert now["outline"] != "none" and now["outlineWidth"] != "0px", (
        f"{what} has keyboard focus but no visible focus outline ({now})"
    )


# 11. Keyboard only -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_keyboard_reaches_the_banner_and_the_dialog(page, site, watch, lang):
    t = words(lang)
    open_page(page, site.page(policy(lang)))
    page.keyboard.press("Tab")
    now = focused(page)
    # The banner comes first: its text's link to the policy's cookie section, then the choices.
    assert now["inBanner"] and now["text"] == t["policy_link"][:60], (
        f"the first Tab lands on {now['tag']} {now['text'][:40]!r}, not the banner's policy link"
    )
    page.keyboard.press("Tab")
    now = focused(page)
    assert now["inBanner"] and now["text"] == t["accept_all"], (
        f"the second Tab lands on {now['tag']} {now['text'][:40]!r}, not the banner's first choice"
    )
    assert_focus_visible(page, t["accept_all"])
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == t["settings"]
    assert_focus_visible(page, t["settings"])

    page.keyboard.press("Enter")
    box = dialog(page, lang)
    expect(box, "Enter on Settings opens no dialog").to_be_visible()
    assert focused(page)["inDialog"], "the dialog opened but focus stayed behind it"
    page.keyboard.press("Escape")
    expect(box, "Esc does not close the dialog").to_be_hidden()
    assert focused(page)["text"] == t["settings"], (
        f"after Esc focus is on {focused(page)}, not back on {t['settings']!r}"
    )
    # Before the Tab round below: a headless Firefox whose focus went out to its own UI does
    # not give it back to the page, and Enter would no longer press the button.
    page.keyboard.press("Enter")
    expect(box, "Enter on Settings does not open the dialog again").to_be_visible()

    # Tab goes round inside the dialog (the browser's own UI may take one stop), never behind it.
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["inDialog"] or now["tag"] == "BODY", f"Tab left the open dialog for {now}"
        stops.append(now["text"] if now["inDialog"] else None)
        if now["text"] == t["save"]:
            assert_focus_visible(page, t["save"])
        if stops.count(t["close"]) == 2:
            break
    assert stops.count(t["close"]) == 2, f"Tab does not cycle through the dialog: {stops}"
    assert t["save"] in stops and t["accept_all"] in stops, stops

    page.keyboard.press("Escape")
    expect(box, "Esc does not close the dialog").to_be_hidden()
    assert focused(page)["text"] == t["settings"], (
        f"after Esc focus is on {focused(page)}, not back on {t['settings']!r}"
    )
    watch.assert_clean()


@pytest.mark.parametrize("how", ["click", "Enter"])
@pytest.mark.parametrize("where", ["footer", "article"])
@pytest.mark.parametrize("lang", LANGS)
def test_settings_links_open_the_settings_without_leaving_the_page(
    page, site, watch, lang, where, how
):
    url = site.page(LANGS[lang])  # the landing page has one in its text and one in its footer
    open_page(page, url)
    selector = f"{where} a[data-consent-open]"
    link = page.locator(selector)
    if where == "footer":
        expect(link).to_have_text(words(lang)["footer_link"])
    if how == "click":
        link.click()
    else:
        link.focus()
        page.keyboard.press("Enter")
    box = dialog(page, lang)
    expect(box, f"{how} on the {where} link opens no settings").to_be_visible()
    expect(page, "the link navigated away instead of opening the settings").to_have_url(url)
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
    assert page.evaluate("s => document.activeElement.matches(s)", selector), (
        f"closing the settings does not return focus to the {where} link"
    )
    expect(page).to_have_url(url)
    watch.assert_clean()


# 12. axe ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_nothing_with_banner_or_dialog_open(page, site, watch, lang):
    open_page(page, site.page(policy(lang)))
    expect(banner(page, lang)).to_be_visible()
    results = axe_results(page)
    assert results.violations_count == 0, "banner open:\n" + results.generate_report()

    banner_button(page, lang, "settings").click()
    box = dialog(page, lang)
    expect(box).to_be_visible()
    for summary in box.locator("summary").all():
        summary.click()
    results = axe_results(page)
    assert results.violations_count == 0, "settings open:\n" + results.generate_report()
    watch.assert_clean()


# 13. Layout shift ---------------------------------------------------------------------------

# Every layout shift, with whether all the moved nodes are in Material's header: its language
# button moves left when the search button appears as the theme's JS starts, with or without the
# widget (reported separately; not the banner's doing).
SHIFTS = """
window.__shifts = [];
new PerformanceObserver(list => { for (const e of list.getEntries()) window.__shifts.push({
    value: e.value,
    header: (e.sources || []).every(s => s.node && s.node.closest && s.node.closest('.md-header')),
    nodes: (e.sources || []).map(s => s.node ? (s.node.className || s.node.nodeName) : '?'),
}); }).observe({type: 'layout-shift', buffered: true});
"""


@pytest.mark.only_browser("chromium")  # Firefox has no layout-shift entries: it would pass blind
@pytest.mark.parametrize("width,height", [(375, 667), (1280, 800)])
@pytest.mark.parametrize("path,lang", PAGES)
def test_banner_causes_no_layout_shift(page, site, watch, path, lang, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.add_init_script(SHIFTS)
    open_page(page, site.page(path))
    expect(banner(page, lang)).to_be_visible()
    page.mouse.move(width / 2, 150)
    page.mouse.wheel(0, 300)
    page.wait_for_function("() => scrollY > 0")
    # Two frames: shifts of the last frame reach the observer.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    shifts = page.evaluate("() => window.__shifts")
    ours = [s for s in shifts if not s["header"]]
    total = sum(s["value"] for s in ours)
    assert total == 0, f"content jumps as the banner appears (CLS {total:.4f}): {ours}"
    watch.assert_clean()


# 14. Small screens and zoom ---------------------------------------------------------------

SCREENS = {
    # A 320 px phone (iPhone SE, 1st generation).
    "320px": {"viewport": {"width": 320, "height": 568}},
    # A 1280×800 window at 200 % zoom: 640×400 CSS px, drawn at device scale factor 2.
    "zoom-200": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("screen", SCREENS)
def test_small_and_zoomed_screens_keep_everything_usable(new_context, site, screen, lang):
    page = new_context(**SCREENS[screen]).new_page()
    watch = watch_page(page, site.url)
    t = words(lang)
    open_page(page, site.page(policy(lang)))
    height = SCREENS[screen]["viewport"]["height"]

    region = banner(page, lang)
    expect(region).to_be_visible()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"{screen}: the page scrolls sideways by {overflow}px with the banner"
    box = region.bounding_box()
    assert box["height"] <= 0.4 * height + 1, (
        f"{screen}: the banner takes {box['height']:.0f} of {height}px: the page is hard to read"
    )
    # Accept and Reject are equally easy to find: both in view, or neither.
    accept, reject = (
        banner_button(page, lang, "accept_all"),
        banner_button(page, lang, "reject_all"),
    )
    assert in_view(accept) == in_view(reject), f"{screen}: only one of Accept/Reject is in view"
    for key in ("accept_all", "reject_all", "settings"):
        button = banner_button(page, lang, key)
        button.scroll_into_view_if_needed()
        expect(button, f"{screen}: {t[key]!r} cannot be brought into view").to_be_in_viewport()
        button.click(trial=True)  # visible, enabled, not covered
    # The page behind the banner still scrolls.
    page.mouse.move(20, 60)
    page.mouse.wheel(0, 400)
    page.wait_for_function("() => scrollY > 0")

    banner_button(page, lang, "settings").click()
    settings = dialog(page, lang)
    expect(settings).to_be_visible()
    frame = settings.bounding_box()
    viewport = SCREENS[screen]["viewport"]
    assert frame["height"] <= viewport["height"] and frame["width"] <= viewport["width"], (
        f"{screen}: the dialog ({frame['width']:.0f}×{frame['height']:.0f}) is larger than the screen"
    )
    save = dialog_button(page, lang, "save")
    save.scroll_into_view_if_needed()
    expect(save, f"{screen}: Save cannot be reached by scrolling the dialog").to_be_in_viewport()
    save.click()
    expect(settings).to_be_hidden()
    assert decision(page)["how"] == "settings"
    watch.assert_clean()


# The banner is capped at 40 % of the screen: on small and zoomed screens its text scrolls and
# the three choices must still be in view on arrival, whole.
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("screen", SCREENS)
def test_small_and_zoomed_screens_show_all_three_choices_on_arrival(
    new_context, site, screen, lang
):
    page = new_context(**SCREENS[screen]).new_page()
    open_page(page, site.page(policy(lang)))
    expect(banner(page, lang)).to_be_visible()
    for key in ("accept_all", "reject_all", "settings"):
        expect(
            banner_button(page, lang, key),
            f"{screen}: {words(lang)[key]!r} is cut off or hidden until the visitor scrolls the banner",
        ).to_be_in_viewport(ratio=1, timeout=1000)  # the banner is laid out: no need to wait long


# A phone of today (375 × 740): the settings dialog fills the screen, scrolls, keeps its buttons
# at its bottom edge, and stands apart from the banner still below it.
PHONE = {"width": 375, "height": 740}
DIALOG_GEOMETRY = """d => {
    const box = d.getBoundingClientRect(), bar = d.querySelector('.cw-acts').getBoundingClientRect();
    const bottom = box.bottom - parseFloat(getComputedStyle(d).borderBottomWidth);
    // What is drawn just above the dialog's bottom edge, across its width.
    const below = [0.1, 0.5, 0.9].map(f => document.elementFromPoint(box.left + f * box.width, bottom - 2));
    return {bottom, barBottom: bar.bottom, scrolled: d.scrollTop, max: d.scrollHeight - d.clientHeight,
            belowBar: below.every(e => e && !!e.closest('.cw-acts')),
            backdrop: getComputedStyle(d, '::backdrop').backgroundColor};
}"""


@pytest.mark.only_browser("chromium")  # screenshots (Firefox's inject a style the CSP reports)
@pytest.mark.parametrize("lang", LANGS)
def test_on_a_phone_the_dialog_ends_with_its_buttons_and_stands_apart(
    new_context, site, artifacts, lang
):
    page = new_context(viewport=PHONE).new_page()
    watch = watch_page(page, site.url)
    open_page(page, site.page(policy(lang)))
    expect(banner(page, lang)).to_be_visible()
    page.screenshot(path=artifacts / f"phone-banner-{lang}-375x740.png")
    banner_button(page, lang, "settings").click()
    box = dialog(page, lang)
    expect(box).to_be_visible()
    for summary in box.locator("summary").all():
        summary.click()
    box.evaluate("d => d.scrollTo(0, 0)")
    page.screenshot(path=artifacts / f"phone-settings-{lang}-375x740.png")
    # Half-way down, text runs under the sticky buttons: none of it may show below them.
    box.evaluate("d => d.scrollTo(0, (d.scrollHeight - d.clientHeight) / 2)")
    page.screenshot(path=artifacts / f"phone-settings-scrolled-{lang}-375x740.png")
    at = box.evaluate(DIALOG_GEOMETRY)
    assert 0 < at["scrolled"] < at["max"], at
    assert abs(at["barBottom"] - at["bottom"]) <= 1, (
        f"the button bar ends {at['bottom'] - at['barBottom']:.0f}px above the dialog's bottom "
        f"edge: scrolled text shows beneath it ({at})"
    )
    assert at["belowBar"], f"text shows below the dialog's buttons: {at}"
    # The banner's three buttons, below the dialog, must not read as part of it.
    for key in ("accept_all", "reject_all", "settings"):
        expect(page.locator(".cw-banner").get_by_text(words(lang)[key], exact=True)).to_be_hidden()
    alpha = float(at["backdrop"].rstrip(")").split(",")[-1]) if "rgba" in at["backdrop"] else 1
    assert alpha >= 0.4, f"a {alpha:.0%} backdrop leaves the page looking part of the dialog"
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
    expect(banner_button(page, lang, "accept_all")).to_be_visible()  # back, no choice yet
    watch.assert_clean()


@pytest.mark.only_browser("chromium")  # Chromium's forced-colors emulation
@pytest.mark.parametrize("lang", LANGS)
def test_in_forced_colors_mode_every_button_keeps_its_boundary(page, site, artifacts, lang):
    """Windows high contrast drops backgrounds: a button drawn by its background alone would be
    bare text among text."""
    page.emulate_media(forced_colors="active")
    open_page(page, site.page(policy(lang)))
    for key in ("accept_all", "reject_all", "settings"):
        style = banner_button(page, lang, key).evaluate(
            """b => { const s = getComputedStyle(b);
                return {width: parseFloat(s.borderTopWidth), style: s.borderTopStyle,
                        color: s.borderTopColor, background: s.backgroundColor}; }"""
        )
        assert style["width"] >= 1 and style["style"] != "none", f"{key}: no border: {style}"
        assert style["color"] != style["background"], f"{key}: border invisible: {style}"
    page.screenshot(path=artifacts / f"consent-banner-forced-colors-{lang}.png")


# An address or ID pasted into a vendor text: one token, no place to break.
LONG_TOKEN = "https://vendor.example.test/?id=" + "Ab3x9Qz7" * 16


@pytest.mark.only_browser("chromium")  # line breaking is CSS: one engine is enough
@pytest.mark.parametrize("lang", LANGS)
def test_a_long_unbroken_token_in_a_vendor_text_wraps_at_320px(page, site, lang):
    data = yaml.safe_load((ROOT / "consent.yml").read_text(encoding="utf-8"))
    vendor = data["vendors"][0]
    vendor["data"] = {code: f"{text} {LONG_TOKEN}" for code, text in vendor["data"].items()}
    assets = render.build_assets(
        registry_module.parse(yaml.safe_dump(data, allow_unicode=True)), lang
    )
    folder = site.root / "_fixtures" / f"long-token-{lang}"
    folder.mkdir(parents=True, exist_ok=True)
    for asset in (assets.js, assets.css):
        (folder / asset.name).write_bytes(asset.content)
    url = write_fixture(
        site,
        f"long-token-{lang}/index.html",
        "consent_markup.html",
        lang=lang,
        js=assets.js.name,
        css=assets.css.name,
    )
    page.set_viewport_size({"width": 320, "height": 568})
    open_page(page, url)
    banner_button(page, lang, "settings").click()
    box = dialog(page, lang)
    for summary in box.locator("summary").all():
        summary.click()
    token = box.get_by_text(LONG_TOKEN)
    expect(token).to_be_visible()
    overflow = box.evaluate("d => d.scrollWidth - d.clientWidth")
    assert overflow <= 0, f"the dialog scrolls sideways by {overflow}px at 320px"
    assert token.bounding_box()["x"] + token.bounding_box()["width"] <= 320


def in_view(locator) -> bool:
    return locator.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )


# 17. Screenshots -----------------------------------------------------------------------------


# Chromium only: Playwright's screenshots in Firefox inject an inline style, which the site's
# CSP reports as a violation (the test asserts none).
@pytest.mark.only_browser("chromium")
@pytest.mark.parametrize("width,height", [(375, 667), (1280, 800)])
@pytest.mark.parametrize("lang", LANGS)
def test_screenshots_of_banner_and_settings(new_context, site, artifacts, lang, width, height):
    page = new_context(viewport={"width": width, "height": height}).new_page()
    watch = watch_page(page, site.url)
    open_page(page, site.page(policy(lang)))
    expect(banner(page, lang)).to_be_visible()
    page.screenshot(path=artifacts / f"consent-banner-{lang}-{width}.png")

    banner_button(page, lang, "settings").click()
    box = dialog(page, lang)
    expect(box).to_be_visible()
    box.locator("summary").first.click()
    page.keyboard.press("Tab")  # show a focus ring in the picture
    page.screenshot(path=artifacts / f"consent-settings-{lang}-{width}.png")
    page.evaluate("() => document.querySelector('dialog').scrollTo(0, 1e6)")
    page.screenshot(path=artifacts / f"consent-settings-end-{lang}-{width}.png")
    frame = box.bounding_box()
    assert frame["y"] >= 0 and frame["y"] + frame["height"] <= height, (
        f"the settings dialog runs off a {width}×{height} screen: {frame}"
    )
    ready(page)
    watch.assert_clean()


@pytest.mark.only_browser("chromium")  # print emulation has no effect in Firefox over BiDi
@pytest.mark.parametrize("lang", LANGS)
def test_printing_the_policy_leaves_the_banner_out(page, site, lang):
    open_page(page, site.page(policy(lang)))
    expect(banner(page, lang)).to_be_visible()
    page.emulate_media(media="print")
    expect(
        page.locator(".cw-banner"), "the printed policy carries the cookie banner"
    ).to_be_hidden()
    expect(page.locator(".cw-spacer")).to_be_hidden()
    expect(page.locator("article h1")).to_be_visible()
