"""Where the build puts the host configs: beside the site, never published, swapped in with it."""

from __future__ import annotations

from tests.project_copy import copy_project

from ..conftest import build
from .conftest import LAYOUTS

CONFIGS = {
    "Caddyfile",
    "_redirects",
    "cloudfront-function.js",
    "cloudfront-response-headers-policy.json",
    "nginx.conf",
}


def test_configs_lie_beside_the_site_and_never_inside(hosting_builds):
    for layout in LAYOUTS:
        site = hosting_builds(layout)
        assert site.hosting == site.site.with_name(site.site.name + ".hosting")
        assert {p.name for p in site.hosting.iterdir()} == CONFIGS
        published = {p.name for p in site.site.rglob("*")}
        assert not published & CONFIGS, published & CONFIGS
        leftovers = [p.name for p in site.site.parent.iterdir() if ".building-" in p.name]
        assert not leftovers, leftovers


def test_a_failed_build_leaves_the_previous_configs(tmp_path, capsys):
    tmp_path = copy_project(tmp_path / "project")
    site, hosting = tmp_path / "site", tmp_path / "site.hosting"
    assert build(site, tmp_path / "mkdocs.yml") == 0
    before = {p.name: p.read_bytes() for p in hosting.iterdir()}
    assert set(before) == CONFIGS
    page = tmp_path / "docs" / "en" / "index.md"
    page.write_text(page.read_text().replace("privacy.md#cookies", "privacy.md#cookie"))
    assert build(site, tmp_path / "mkdocs.yml") != 0
    assert {p.name: p.read_bytes() for p in hosting.iterdir()} == before
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("site."))
    assert leftovers == ["site.hosting"], leftovers
