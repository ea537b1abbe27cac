"""What the scan tells an editor when the site's CSP blocks a host: the registry key to change."""

from __future__ import annotations

from consent_widget import registry
from consent_widget.scan import Judge, Seen, Subject, consent_states, hostname, origin

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


# --- what a finding is about: one thing or many, and origins -----------------------------


def test_another_port_is_another_origin_and_is_named_so():
    assert origin("https://127.0.0.1:8443/landing/?x=1") == "https://127.0.0.1:8443"
    assert origin("https://user@www.example.com/x") == "https://www.example.com"
    assert hostname("https://127.0.0.1:8443") == "127.0.0.1"
    assert hostname("www.facebook.com") == "www.facebook.com"


def test_many_cookies_with_one_verdict_read_as_one_sentence():
    state = consent_states(judge().registry)[0]  # no choice
    cookies = [
        Seen("cookie", f"c{i:03}", "domain=tsunagu-denki.com path=/", "/cookies/", state.name)
        for i in range(200)
    ]
    verdicts = {judge().verdict(seen, state) for seen in cookies}
    assert len(verdicts) == 1  # the same verdict: one finding
    message = Subject.many(cookies).fill(verdicts.pop())
    assert message.startswith(
        "200 cookies (`c000`, `c001`, `c002` and 197 more, every one in site-scan.json) were set "
        "before any choice, and no vendor declares them: "
    ), message
    assert (
        Subject.one(cookies[0])
        .fill(judge().verdict(cookies[0], state))
        .startswith(
            "cookie `c000` (domain=tsunagu-denki.com path=/) was set before any choice, and no vendor "
            "declares it: "
        )
    )
