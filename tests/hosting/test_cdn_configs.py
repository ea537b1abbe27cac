"""The configs for hosts we cannot run here, checked against the build they belong to:
the CloudFront Function (run in Chromium's JavaScript engine with CloudFront-shaped events),
the CloudFront response-headers policy, and Netlify's `_redirects`."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from .conftest import LAYOUTS, Build
from .test_servers import published, url_path

CLOUDFRONT_FUNCTION_LIMIT = 10 * 1024


@pytest.fixture(params=list(LAYOUTS))
def layout_build(request, hosting_builds) -> Build:
    return hosting_builds(request.param)


def event(uri: str, event_type: str) -> dict:
    """A CloudFront Functions event for a GET of `uri` (and a 200 from the origin)."""
    shaped = {
        "version": "1.0",
        "context": {"eventType": event_type},
        "viewer": {"ip": "192.0.2.1"},
        "request": {"method": "GET", "uri": uri, "querystring": {}, "headers": {}, "cookies": {}},
    }
    if event_type == "viewer-response":
        shaped["response"] = {"statusCode": 200, "statusDescription": "OK", "headers": {}}
    return shaped


def cloudfront(page, build: Build, uris: list[str], event_type: str = "viewer-request") -> list:
    """What the generated function returns for each request, one fresh run per request."""
    source = (build.hosting / "cloudfront-function.js").read_text(encoding="utf-8")
    return page.evaluate(
        "([source, events]) => events.map(e => new Function(source + '\\nreturn handler;')()(e))",
        [source, [event(uri, event_type) for uri in uris]],
    )


def test_cloudfront_function_serves_every_published_file(page, layout_build):
    build = layout_build
    page_cache = build.cache_rule(build.base)
    # CloudFront compresses by itself: pre-compressed copies stay out of the function's list.
    files = [
        rel
        for rel in published(build)
        if not (rel.endswith((".gz", ".br")) and (build.site / rel[:-3]).is_file())
    ]
    requests = cloudfront(page, build, [url_path(build, rel) for rel in files])
    assert [r["uri"] for r in requests] == [build.base + rel for rel in files]
    responses = cloudfront(page, build, [build.base + rel for rel in files], "viewer-response")
    for rel, answer in zip(files, responses, strict=True):
        path = url_path(build, rel)
        # A 404 page is a 404 even when asked for by name (the function cannot tell apart).
        assert answer["statusCode"] == (404 if rel.endswith("404.html") else 200), path
        expected = build.cache_rule(path) or page_cache
        assert answer["headers"]["cache-control"]["value"] == expected, path


@pytest.mark.parametrize(
    "rel,not_found_page",
    [
        ("xyz", "404.html"),
        ("privacy/xyz/", "404.html"),
        ("_headers", "404.html"),
        ("_redirects", "404.html"),
        ("en/xyz", "en/404.html"),
        ("en/privacy/xyz/", "en/404.html"),
    ],
)
def test_cloudfront_function_gives_each_language_its_404(page, layout_build, rel, not_found_page):
    build = layout_build
    [request] = cloudfront(page, build, [build.base + rel])
    assert request["uri"] == build.base + not_found_page
    # The viewer response may see the URI as asked or as rewritten: a 404 either way.
    asked_and_rewritten = [build.base + rel, request["uri"]]
    for answer in cloudfront(page, build, asked_and_rewritten, "viewer-response"):
        assert answer["statusCode"] == 404
        assert answer["headers"]["cache-control"]["value"] == build.cache_rule(build.base)


def test_cloudfront_function_redirects_folders_to_their_slash(page, layout_build):
    build = layout_build
    paths = [build.base + rel for rel in ("privacy", "en", "en/privacy")]
    if build.base != "/":
        paths.append(build.base.rstrip("/"))
    for path, answer in zip(paths, cloudfront(page, build, paths), strict=True):
        assert answer["statusCode"] == 301, path
        assert answer["headers"]["location"]["value"] == path + "/"


def test_cloudfront_function_fits_cloudfronts_size_limit(layout_build):
    size = (layout_build.hosting / "cloudfront-function.js").stat().st_size
    assert size <= CLOUDFRONT_FUNCTION_LIMIT


def headers_from_policy(policy: dict) -> dict[str, str]:
    """The response headers CloudFront adds with this policy, as header lines."""
    security = policy["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    headers = {
        "Strict-Transport-Security": "; ".join(
            [f"max-age={hsts['AccessControlMaxAgeSec']}"]
            + ["includeSubDomains"] * hsts["IncludeSubdomains"]
            + ["preload"] * hsts["Preload"]
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
        "Content-Security-Policy": security["ContentSecurityPolicy"]["ContentSecurityPolicy"],
    }
    assert security["ContentTypeOptions"] == {"Override": True}
    assert all(entry["Override"] for entry in security.values())
    custom = policy["CustomHeadersConfig"]
    assert custom["Quantity"] == len(custom["Items"])
    headers |= {item["Header"]: item["Value"] for item in custom["Items"] if item["Override"]}
    return headers


def test_cloudfront_headers_policy_carries_every_header_of_the_build(layout_build):
    build = layout_build
    text = (build.hosting / "cloudfront-response-headers-policy.json").read_text(encoding="utf-8")
    policy = json.loads(text)
    assert headers_from_policy(policy) == build.every_response_headers()
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,128}", policy["Name"])
    assert len(policy["Comment"]) <= 128 and build.url in policy["Comment"]


def test_netlify_redirects_give_english_its_404(layout_build):
    build = layout_build
    assert not (build.site / "_redirects").exists(), "Cloudflare rejects a 404 rule: not in site/"
    lines = (build.hosting / "_redirects").read_text(encoding="utf-8").splitlines()
    rules = [line.split() for line in lines if line and not line.startswith("#")]
    assert rules == [[f"{build.base}en/*", f"{build.base}en/404.html", "404"]]


def test_every_config_names_the_build_it_belongs_to(layout_build):
    build = layout_build
    build_id = hashlib.sha256((build.site / "_headers").read_bytes()).hexdigest()[:12]
    configs = sorted(build.hosting.iterdir())
    assert [c.name for c in configs] == [
        "Caddyfile",
        "_redirects",
        "cloudfront-function.js",
        "cloudfront-response-headers-policy.json",
        "nginx.conf",
    ]
    for config in configs:
        text = config.read_text(encoding="utf-8")
        first = json.loads(text)["Comment"] if config.suffix == ".json" else text.split("\n")[0]
        assert build.url in first and build_id in first, config.name
