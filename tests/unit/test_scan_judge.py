"""What the scan tells an editor when the site's CSP blocks a host: the registry key to change."""

from __future__ import annotations

from consent_widget import registry
from consent_widget.scan import Judge, Seen

from ..tagged_site import tagged_registry


def judge() -> Judge:
    return Judge(registry.parse(tagged_registry(), "consent.yml"), "tsunagu-denki.com")


def blocked(host: str, directive: str) -> str:
    seen = Seen("blocked", host, directive, "https://tsunagu-denki.com/", "Accept all")
    return judge().finding(seen, state=None)


def test_a_tag_vendors_frame_names_the_csp_key_to_add():
    assert blocked("www.facebook.com", "frame-src") == (
        "the site's Content-Security-Policy blocked `www.facebook.com` (frame-src), a host of "
        "vendor `meta-pixel`, whose tag gets only script-src, connect-src, img-src by default: "
        "add `csp: [frame-src]` to the `tag` of vendor `meta-pixel` (the CSP follows)"
    )


def test_a_stylesheet_is_reported_by_the_directive_the_registry_knows():
    # Chromium reports a stylesheet as style-src-elem; the registry's word is style-src.
    assert "add `csp: [style-src]` to the `tag` of vendor `meta-pixel`" in blocked(
        "connect.facebook.net", "style-src-elem"
    )


def test_a_host_of_a_vendor_without_a_tag_still_asks_for_the_tag():
    message = blocked("s.yimg.jp", "script-src-elem")
    assert "only vendors with a `tag` get CSP entries" in message, message
    assert "csp" not in message.replace("Content-Security-Policy", "")


def test_a_blocked_script_of_a_tag_vendor_is_a_stale_deploy_not_a_csp_key():
    message = blocked("connect.facebook.net", "script-src-elem")
    assert message.endswith(
        "a host of vendor `meta-pixel`, whose tag the registry allows there: the CSP served is "
        "not the one built from this registry; deploy `_headers` from the same build as the "
        "pages (or, on a site using the CLI, add what its `csp.txt` lists)"
    ), message
