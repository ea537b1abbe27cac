"""A visitor's Chromium behind real nginx and Caddy: the served CSP lets the site work, with
not one violation, while the banner and the settings dialog are open; the 404 pages too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..e2e.conftest import watch_page
from ..e2e.fixtures.consent import banner, banner_button, dialog, open_page

# Chromium only: what is tested is the server's answers; the visitor suite covers Firefox.
pytestmark = [pytest.mark.browser, pytest.mark.only_browser("chromium")]

# One page of each kind and language: the server sends every page the same headers (the
# hosting suite checks that on every file); every page in the browser is the visitor suite's.
PAGES = [("privacy/", "ja"), ("en/", "en")]


@pytest.mark.parametrize("path,lang", PAGES)
def test_no_csp_violation_with_the_banner_and_the_dialog_open(page, hosted, path, lang):
    watch = watch_page(page, hosted.url)
    open_page(page, hosted.url + path)
    expect(banner(page, lang)).to_be_visible()
    banner_button(page, lang, "settings").click()
    expect(dialog(page, lang)).to_be_visible()
    page.wait_for_timeout(300)  # Material's late fetches (its sitemap lookups)
    csp = page.evaluate("fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert csp == hosted.build.every_response_headers()["Content-Security-Policy"]
    watch.assert_clean()


@pytest.mark.parametrize(
    "path,heading", [("xyz/", "ページが見つかりません"), ("en/xyz/", "Page not found")]
)
def test_the_404_pages_load_clean(page, hosted, path, heading):
    watch = watch_page(page, hosted.url)
    watch.expected_missing.add(hosted.url + path)
    response = page.goto(hosted.url + path, wait_until="networkidle")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator(".cw-banner")).to_be_visible()
    watch.assert_clean()
