"""The CLI's output on a plain page (no theme): the vendor table is styled by the CLI's CSS,
and the banner tells a visitor asked again when the policy changed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from consent_widget.__main__ import main as cli

from ..conftest import ROOT, serve
from .fixtures.consent import REGISTRY, record_cookie

pytestmark = pytest.mark.browser


CHANGED = "2027-04-01"
CHANGES = "/changes.html"


@pytest.fixture
def plain_page(tmp_path) -> str:
    """A hand-written page that includes the CLI's snippet and vendor table, served."""
    out = tmp_path / "static" / "consent"
    build = [str(ROOT / "consent.yml"), "-o", str(out), "--base-url", "/static/consent/"]
    change = ["--policy-changed", CHANGED, "--policy-changes-url", CHANGES]
    assert cli(["build", *build, *change]) == 0
    head = (out / "snippet.en.html").read_text(encoding="utf-8")
    table = (out / "vendors.en.html").read_text(encoding="utf-8")
    (tmp_path / "index.html").write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cookies</title>{head}'
        f"</head><body><h1>Cookies</h1>{table}</body></html>",
        encoding="utf-8",
    )
    server, url = serve(tmp_path)
    yield url
    server.shutdown()


# Chromium only: a stylesheet check; the visitor suite covers Firefox.
@pytest.mark.only_browser("chromium")
def test_vendor_table_is_styled_on_a_plain_page(page, plain_page):
    page.goto(plain_page)
    cell = page.locator(".cw-disclosure tbody td").first
    style = cell.evaluate(
        "td => { const s = getComputedStyle(td), t = getComputedStyle(td.closest('table'));"
        " return [s.borderTopStyle, s.paddingLeft, t.borderCollapse]; }"
    )
    assert style[0] == "solid", style  # cells are ruled, not a run of loose text
    assert style[1] != "0px" and style[2] == "collapse", style


def test_a_visitor_asked_again_reads_when_the_policy_changed(page, plain_page):
    """The CLI's --policy-changed line, for a record made under the previous `revision`."""
    old = REGISTRY.revision - 1
    page.context.add_cookies([record_cookie(SimpleNamespace(url=plain_page), rev=old)])
    page.goto(plain_page)
    bar = page.locator(".cw-banner")
    expect(bar).to_be_visible()
    link = bar.get_by_role("link", name="April 1, 2027", exact=False)
    expect(link).to_have_attribute("href", CHANGES)
    expect(link).to_have_attribute("target", "_blank")
    # A first visit is not told about a change it never saw.
    page.context.clear_cookies()
    page.reload()
    expect(bar).to_be_visible()
    expect(bar).not_to_contain_text("2027")
