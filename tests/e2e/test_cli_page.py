"""The CLI's output on a plain page (no theme): the vendor table is styled by the CLI's CSS."""

from __future__ import annotations

import pytest

from consent_widget.__main__ import main as cli

from ..conftest import ROOT, serve

# Chromium only: a stylesheet check; the visitor suite covers Firefox.
pytestmark = [pytest.mark.browser, pytest.mark.only_browser("chromium")]


@pytest.fixture
def plain_page(tmp_path) -> str:
    """A hand-written page that includes the CLI's snippet and vendor table, served."""
    out = tmp_path / "static" / "consent"
    assert (
        cli(["build", str(ROOT / "consent.yml"), "-o", str(out), "--base-url", "/static/consent/"])
        == 0
    )
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


def test_vendor_table_is_styled_on_a_plain_page(page, plain_page):
    page.goto(plain_page)
    cell = page.locator(".cw-disclosure tbody td").first
    style = cell.evaluate(
        "td => { const s = getComputedStyle(td), t = getComputedStyle(td.closest('table'));"
        " return [s.borderTopStyle, s.paddingLeft, t.borderCollapse]; }"
    )
    assert style[0] == "solid", style  # cells are ruled, not a run of loose text
    assert style[1] != "0px" and style[2] == "collapse", style
