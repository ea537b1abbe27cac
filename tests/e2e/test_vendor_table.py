"""The vendor table on the policy page: a block per vendor on a phone, a table on a desktop,
a real table with headers for screen readers at every width."""

from __future__ import annotations

from itertools import pairwise

import pytest
from playwright.sync_api import expect

from consent_widget.render import opt_out_label

from .fixtures.consent import LANGS, REGISTRY, policy, words

pytestmark = pytest.mark.browser

COLUMNS = ("category", "service", "operator", "data", "purpose", "opt_out")


def open_table(page, site, lang: str, width: int):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site.page(policy(lang)) + "#consent-vendors")
    table = page.locator(".cw-disclosure table")
    table.scroll_into_view_if_needed()
    return table


@pytest.mark.parametrize("lang", LANGS)
def test_phone_reads_one_block_per_vendor_without_sideways_scrolling(page, site, artifacts, lang):
    table = open_table(page, site, lang, 375)
    # Nothing in the table scrolls sideways, and all that shows fits the screen (the column
    # headers are clipped out of sight: they are there for screen readers).
    wide = page.evaluate(
        """() => [
            ...[...document.querySelectorAll('.cw-disclosure, .cw-disclosure *')].filter(e =>
                e.scrollWidth > e.clientWidth + 1 && /auto|scroll/.test(getComputedStyle(e).overflowX)),
            ...[...document.querySelectorAll('.cw-disclosure :is(caption, tbody, tbody *)')]
                .filter(e => e.getBoundingClientRect().right > innerWidth + 1),
          ].map(e => e.tagName + '.' + e.className)"""
    )
    assert not wide, f"scrolls sideways at 375 px: {wide}"
    t = words(lang)
    for vendor in REGISTRY.vendors:
        row = table.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=vendor.service[lang], exact=True)
        )
        # One block: the service on top, the other cells stacked under it, none side by side.
        boxes = sorted(
            (cell.bounding_box() for cell in row.locator("th, td").all()), key=lambda b: b["y"]
        )
        assert len(boxes) == len(COLUMNS)
        for above, below in pairwise(boxes):
            assert below["y"] >= above["y"] + above["height"] - 1, (vendor.id, boxes)
        assert row.locator("th").bounding_box()["y"] == boxes[0]["y"], "service is not on top"
        for cell, key in zip(row.locator("th, td").all(), COLUMNS, strict=True):
            if key not in ("service", "opt_out"):  # the block's heading; a link naming itself
                label = cell.evaluate("c => getComputedStyle(c, '::before').content")
                # Chromium resolves attr() in the computed value; Firefox reports it as written.
                if label == "attr(data-label)":
                    label = f'"{cell.get_attribute("data-label")}"'
                assert label == f'"{t[key]}"', (vendor.id, key, label)
        opt_out = row.get_by_role("link", name=opt_out_label(REGISTRY, vendor, lang))
        opt_out.scroll_into_view_if_needed()
        expect(opt_out).to_be_in_viewport()
    # Still a table with its column headers for screen readers.
    headers = table.get_by_role("columnheader")
    expect(headers).to_have_count(len(COLUMNS))
    expect(headers.first).to_have_text({"ja": "区分", "en": "Category"}[lang])
    table.screenshot(path=artifacts / f"vendor-table-{lang}-375.png")


@pytest.mark.parametrize("lang", LANGS)
def test_desktop_shows_a_table_with_a_row_per_vendor(page, site, lang):
    table = open_table(page, site, lang, 1280)
    expect(table.locator("thead")).to_be_visible()
    first_row = table.locator("tbody tr").first
    tops = {round(cell.bounding_box()["y"]) for cell in first_row.locator("th, td").all()}
    assert len(tops) == 1, f"cells of one row are not side by side: {tops}"
    expect(table.locator("tbody tr")).to_have_count(len(REGISTRY.vendors))
