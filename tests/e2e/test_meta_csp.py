"""The Content-Security-Policy in every page's `<meta http-equiv>`, for hosts that ignore
`_headers` (GitHub Pages): in force, and silent on the site's own pages, alone and beside the
header policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from tests.conftest import ROOT, Site, build, serve

from .conftest import PAGES, watch_page
from .fixtures.consent import ready

pytestmark = pytest.mark.browser

NOT_FOUND = [("no-such-page/", "ja"), ("en/no-such-page/", "en")]


@pytest.fixture(scope="module")
def meta_only_site(tmp_path_factory) -> Iterator[Site]:
    """The site on a host that ignores `_headers`, as GitHub Pages does."""
    docroot = tmp_path_factory.mktemp("pages-host")
    server, url = serve(docroot)
    try:
        assert build(docroot, ROOT / "mkdocs.yml", env={"SITE_URL": url}) == 0
        (docroot / "_headers").unlink()
        yield Site(root=docroot, url=url)
    finally:
        server.shutdown()


@pytest.fixture(params=["meta only", "meta and header"])
def host(request, site, meta_only_site) -> Site:
    return meta_only_site if request.param == "meta only" else site


def inline_script_runs(page) -> bool:
    """Whether a script injected into the page runs: a CSP without 'unsafe-inline' stops it."""
    return page.evaluate(
        """() => {
            const s = document.createElement('script');
            s.textContent = 'window.__injected = true';
            document.head.append(s);
            return window.__injected === true;
        }"""
    )


@pytest.mark.parametrize("path,lang", PAGES + NOT_FOUND)
def test_every_page_is_clean_under_its_own_policy(page, host, path, lang):
    watch = watch_page(page, host.url)
    watch.expected_missing.add(host.page(path))
    response = page.goto(host.page(path), wait_until="networkidle")
    if host.root.joinpath("_headers").exists():
        assert "content-security-policy" in response.headers
    else:
        assert "content-security-policy" not in response.headers
    expect(page.locator("html")).to_have_attribute("lang", lang)
    ready(page)
    # What a visitor does: search (a worker), the banner's choice, the settings dialog.
    search = page.locator("input.md-search__input")
    search.click()
    search.fill("cookie")
    search.press("End")
    expect(page.locator(".md-search-result__meta")).not_to_have_text("")
    page.keyboard.press("Escape")
    page.locator(".cw-banner").get_by_role("button").first.click()
    page.locator("footer a[data-consent-open]").click()
    expect(page.locator("dialog.cw-dialog")).to_be_visible()
    page.wait_for_timeout(300)
    watch.assert_clean()
    # And the policy is really in force: an injected inline script is refused and reported.
    assert not inline_script_runs(page)
    violations = page.evaluate("window.__csp")
    assert violations and violations[0].startswith("script-src"), violations


def test_meta_policy_is_the_header_policy_minus_what_a_meta_cannot_carry(site):
    header = next(
        line.split(":", 1)[1].strip()
        for line in (site.root / "_headers").read_text().splitlines()
        if line.strip().startswith("Content-Security-Policy:")
    )
    for path, _lang in PAGES:
        page_policy = page_meta_policy(site.html(path))
        assert "frame-ancestors" in header and "frame-ancestors" not in page_policy
        strip = [
            d for d in header.split("; ") if not d.startswith(("frame-ancestors", "script-src"))
        ]
        assert [d for d in page_policy.split("; ") if not d.startswith("script-src")] == strip
        # The page's own inline-script hashes, each of them also in the header policy.
        script_src = next(d for d in page_policy.split("; ") if d.startswith("script-src"))
        assert set(script_src.split()[1:]) <= set(
            next(d for d in header.split("; ") if d.startswith("script-src")).split()[1:]
        )


def page_meta_policy(html: str) -> str:
    meta = BeautifulSoup(html, "html.parser").find(
        "meta", attrs={"http-equiv": "Content-Security-Policy"}
    )
    assert meta is not None, "no CSP meta element"
    return meta["content"]
