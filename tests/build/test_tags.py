"""Tags from the registry: gated placeholders on every page, their extra file, the CSP from hosts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from build_site import build

from consent_widget.__main__ import main as cli

from ..conftest import headers_for, parse_headers_file
from ..tagged_site import ADS_ID, GA_ID, PIXEL_SRC, copy_site, tagged_registry

PAGES = ["index.html", "privacy/index.html", "en/index.html", "en/privacy/index.html"]
NOT_FOUND = ["404.html", "en/404.html"]


@pytest.fixture(scope="module")
def tagged(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("tagged")
    config = copy_site(src, tagged_registry())
    site = src / "built" / "policy"
    assert build(site, config, env={"SITE_URL": "https://example.com/policy/"}) == 0
    return site


def gated(html: str) -> list[tuple[str, str, str]]:
    soup = BeautifulSoup(html, "html.parser")
    return [
        (s["data-consent"], s["data-src"], s["data-vendor"])
        for s in soup.select('script[type="text/plain"][data-consent]')
    ]


def test_every_page_gets_the_tags_gated_in_registry_order(tagged):
    tags_file = next((tagged / "assets").glob("consent-tags.*.js"))
    assert re.fullmatch(r"consent-tags\.[0-9a-f]{10}\.js", tags_file.name)
    expected = [
        ("analytics", f"https://www.googletagmanager.com/gtag/js?id={GA_ID}", "google-analytics"),
        ("analytics", f"/policy/assets/{tags_file.name}", "google-analytics"),
        ("advertising", f"https://www.googletagmanager.com/gtag/js?id={ADS_ID}", "google-ads"),
        ("advertising", f"/policy/assets/{tags_file.name}", "google-ads"),
        ("advertising", PIXEL_SRC, "meta-pixel"),
    ]
    for page in PAGES + NOT_FOUND:
        assert gated((tagged / page).read_text(encoding="utf-8")) == expected, page
    config_calls = tags_file.read_text()
    assert GA_ID in config_calls and ADS_ID in config_calls and "config" in config_calls


def test_tags_add_no_inline_script(tagged):
    for page in PAGES + NOT_FOUND:
        soup = BeautifulSoup((tagged / page).read_text(encoding="utf-8"), "html.parser")
        for script in soup.find_all("script"):
            assert "gtag" not in script.text and "googletagmanager" not in script.text, page


def csp(site: Path, path: str) -> dict[str, list[str]]:
    rules = parse_headers_file((site / "_headers").read_text())
    value = dict(headers_for(rules, path))["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in value.split("; ")}


def test_csp_allows_the_tag_vendors_hosts_in_the_directives_their_tags_need(tagged):
    policy = csp(tagged, "/policy/")
    for directive in ("script-src", "connect-src", "img-src"):
        for source in (
            "https://www.googletagmanager.com",
            "https://*.google-analytics.com",
            "https://googleads.g.doubleclick.net",
            "https://connect.facebook.net",
            "https://www.facebook.com",
        ):
            assert source in policy[directive], (directive, source)
    # Google Ads measures conversions in frames; nothing else gets frames.
    assert "https://td.doubleclick.net" in policy["frame-src"]
    assert "https://connect.facebook.net" not in policy["frame-src"]
    # Vendors without a tag (Yahoo! JAPAN, LINE) stay blocked.
    everything = " ".join(" ".join(s) for s in policy.values())
    assert "yimg" not in everything and "line" not in everything
    assert "'unsafe-inline'" not in everything


def test_a_site_without_tags_keeps_its_csp_to_itself(site):
    policy = csp(site.root, "/")
    assert "frame-src" not in policy
    assert not [s for sources in policy.values() for s in sources if s.startswith("https:")]
    assert not list((site.root / "assets").glob("consent-tags.*"))
    assert not gated(site.html(""))


def test_cli_snippet_carries_the_same_tags(tmp_path):
    registry = tmp_path / "consent.yml"
    registry.write_text(tagged_registry(), encoding="utf-8")
    assert cli(["build", str(registry), "-o", str(tmp_path / "out"), "--base-url", "/c/"]) == 0
    tags_file = next((tmp_path / "out").glob("consent-tags.*.js")).name
    for lang in ("ja", "en"):
        snippet = (tmp_path / "out" / f"snippet.{lang}.html").read_text(encoding="utf-8")
        found = gated(snippet)
        assert [src for _, src, _ in found][:2] == [
            f"https://www.googletagmanager.com/gtag/js?id={GA_ID}",
            f"/c/{tags_file}",
        ]
        assert len(found) == 5
    # What the site's own CSP must allow: the tag vendors' hosts, as the MkDocs build allows them.
    csp_lines = (tmp_path / "out" / "csp.txt").read_text().splitlines()
    directives = {
        line.split()[0]: line.split()[1:] for line in csp_lines if not line.startswith("#")
    }
    assert set(directives) == {"script-src", "connect-src", "img-src", "frame-src"}
    assert "https://connect.facebook.net" in directives["script-src"]
    assert "https://td.doubleclick.net" in directives["frame-src"]


def test_cli_csp_names_the_widgets_own_origin_when_served_from_elsewhere(tmp_path):
    registry = tmp_path / "consent.yml"
    registry.write_text(tagged_registry(), encoding="utf-8")
    base = "https://cdn.example.net/consent/"
    assert cli(["build", str(registry), "-o", str(tmp_path / "out"), "--base-url", base]) == 0
    lines = (tmp_path / "out" / "csp.txt").read_text().splitlines()
    assert "style-src https://cdn.example.net" in lines
    script = next(line for line in lines if line.startswith("script-src "))
    assert script.startswith("script-src https://cdn.example.net https://www.googletagmanager.com")
