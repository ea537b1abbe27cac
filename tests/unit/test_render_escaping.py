"""The disclosure table prints every registry text as text: markup in any field stays characters."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from consent_widget import render

from ..hostile_registry import HOSTILE_URL, INJECTED_TAGS, LANGS, hostile_registry

REGISTRY = hostile_registry()


@pytest.mark.parametrize("lang", LANGS)
def test_markup_in_every_table_field_stays_text(lang):
    soup = BeautifulSoup(render.disclosure_table(REGISTRY, lang), "html.parser")
    made = [tag.name for tag in soup.find_all(INJECTED_TAGS)]
    assert made == [], f"registry text became elements in the table: {made}"

    words = REGISTRY.texts[lang]
    assert soup.caption.get_text() == words["table_caption"]
    headers = [th.get_text() for th in soup.select("thead th")]
    keys = ("category", "service", "operator", "data", "purpose", "opt_out")
    assert headers == [words[key] for key in keys]

    rows = soup.select("tbody tr")
    vendors = [v for c in REGISTRY.categories for v in REGISTRY.vendors_of(c.id)]
    assert len(rows) == len(vendors)
    for row, vendor in zip(rows, vendors, strict=True):
        category, service, operator, data, purpose, opt_out = row.find_all(["th", "td"])
        expected = {
            "category title": (category.get_text(), REGISTRY.category(vendor.category).title),
            "service": (service.get_text(), vendor.service),
            # The recipient cell: the operator's name, a line break, its privacy policy link.
            "operator": (operator.contents[0], vendor.operator),
            "data": (data.get_text(), vendor.data),
            "purpose": (purpose.get_text(), vendor.purpose),
        }
        for field, (shown, texts) in expected.items():
            assert shown == texts[lang], f"{vendor.id}: the {field} is not shown as written"
        (privacy,) = operator.find_all("a")
        assert privacy.get_text() == words["privacy_policy"]
        assert privacy["href"] == vendor.privacy_url[lang]
        assert opt_out.a.get_text() == render.opt_out_label(REGISTRY, vendor, lang)
        assert opt_out.a["href"] == vendor.opt_out_url[lang] == HOSTILE_URL
