"""A tag that needs more than scripts, beacons and pixels: `tag.csp` lets its frames through.

The tagged site is served at its production address from its own build (`_headers` included,
so the browser enforces the CSP the build wrote); the Meta Pixel stand-in opens an iframe from
its own host, as embedded players and remarketing frames do.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from build_site import build
from playwright.sync_api import expect

from consent_widget.site_files import SiteFiles

from ..conftest import headers_for, parse_headers_file
from ..tagged_site import PIXEL_SRC, copy_site, tagged_registry, vendor

pytestmark = pytest.mark.browser

ROOT = "https://tsunagu-denki.com/"
FRAME = "https://www.facebook.com/tr/frame"
# Sends its page view from a frame on the vendor's own host, and one from a host nobody declares.
PIXEL_WITH_FRAMES = f"""
for (const src of ['{FRAME}', 'https://frames.example.org/']) {{
  const frame = document.createElement('iframe');
  frame.src = src;
  document.body.append(frame);
}}
"""
CSP_WATCH = (
    "window.__violations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__violations.push(e.effectiveDirective + ' ' + e.blockedURI));"
)


def frames_allowed(data: dict) -> None:
    vendor(data, "meta-pixel")["tag"]["csp"] = ["frame-src", "media-src"]
    # Without the Ads tag (and its frames): the whole CSP must stay within CloudFront's limit.
    del vendor(data, "google-ads")["tag"]


@pytest.fixture(scope="module")
def framed_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("framed")
    config = copy_site(root / "src", tagged_registry(frames_allowed))
    assert build(root / "site", config) == 0, "the site did not build"
    return root / "site"


def test_a_tag_with_csp_frame_src_gets_its_frames_and_nothing_else(page, framed_site):
    page.context.route(f"{ROOT}**", SiteFiles(framed_site, ROOT).answer)
    page.route(
        PIXEL_SRC,
        lambda route: route.fulfill(body=PIXEL_WITH_FRAMES, content_type="text/javascript"),
    )

    def frame(route):
        route.fulfill(body="<!doctype html><p>vendor frame</p>", content_type="text/html")

    page.route("https://*.facebook.com/**", frame)
    page.route("https://frames.example.org/**", frame)
    page.route("https://*.google*.com/**", lambda route: route.fulfill(status=204))
    page.route("https://*.doubleclick.net/**", lambda route: route.fulfill(status=204))
    page.add_init_script(CSP_WATCH)
    page.goto(ROOT + "en/")
    page.wait_for_function("() => !!window.consentWidget")
    page.get_by_role("button", name="Accept all", exact=True).click()
    expect(page.frame_locator(f'iframe[src="{FRAME}"]').get_by_text("vendor frame")).to_be_visible()
    page.wait_for_function("() => window.__violations.length > 0")
    # (Blocked frames still ask the network in Chromium; what counts is what loads in them.)
    blocked = page.frame_locator('iframe[src="https://frames.example.org/"]')
    expect(blocked.get_by_text("vendor frame")).to_have_count(0)
    # Reported by origin only (and by Chromium once per check).
    assert set(page.evaluate("window.__violations")) == {"frame-src https://frames.example.org"}


def test_the_built_csp_gives_the_tags_hosts_exactly_the_directives_asked(framed_site):
    rules = parse_headers_file((framed_site / "_headers").read_text())
    value = dict(headers_for(rules, "/en/"))["Content-Security-Policy"]
    policy = {d.split()[0]: d.split()[1:] for d in value.split("; ")}
    pixel = {"https://connect.facebook.net", "https://www.facebook.com"}
    assert pixel <= set(policy["frame-src"]) and pixel <= set(policy["media-src"])
    assert not pixel & set(policy["style-src"] + policy["font-src"])
    # The page's own meta policy says the same.
    html = (framed_site / "en" / "index.html").read_text(encoding="utf-8")
    assert "media-src 'self' https://connect.facebook.net https://www.facebook.com" in html
