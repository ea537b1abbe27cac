"""What opting out deletes: one pattern per category for its vendors' cookies and storage keys."""

from __future__ import annotations

import re

from consent_widget import registry, render

from .test_registry_tags import TAGGED


def test_the_pattern_matches_declared_names_and_prefixes_only():
    model = registry.parse(TAGGED.replace("[_gcl_au, _ga_*]", "[_gcl_au, _ga_*, a.b-c]"))
    pattern = re.compile(render.purge_pattern(model, "advertising"))
    for name in ("_gcl_au", "_ga_", "_ga_ABC123", "a.b-c", "_gcl_ls"):  # _gcl_ls: storage
        assert pattern.match(name), name
    for name in ("_gcl_au2", "x_gcl_au", "_ga", "axb-c", "_gcl"):
        assert not pattern.match(name), name


def test_a_category_without_vendors_deletes_nothing():
    model = registry.parse(TAGGED)
    pattern = re.compile(render.purge_pattern(model, "necessary"))
    assert not any(pattern.match(name) for name in ("", "consent", "_ga", "x"))
