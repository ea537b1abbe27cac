"""The scan's command line: what cannot be scanned says why, without a browser or a traceback."""

from __future__ import annotations

from pathlib import Path

from consent_widget.__main__ import main
from consent_widget.scan import built_site_root

ROOT = Path(__file__).resolve().parents[2]


def test_a_folder_that_is_not_a_built_site_is_named(tmp_path, capsys):
    assert main(["scan", str(tmp_path), "--registry", str(ROOT / "consent.yml")]) == 2
    out = capsys.readouterr().out
    assert f"scan: {tmp_path}: not a built site (no index.html); run `make build`" in out


def test_max_pages_must_be_positive(tmp_path, capsys):
    args = ["scan", str(tmp_path), "--registry", str(ROOT / "consent.yml"), "--max-pages", "0"]
    assert main(args) == 2
    assert "--max-pages must be at least 1" in capsys.readouterr().out


def test_the_settle_period_must_be_a_sensible_number_of_seconds(tmp_path, capsys):
    for bad in ("0", "-1", "31"):
        args = ["scan", str(tmp_path), "--registry", str(ROOT / "consent.yml"), "--settle", bad]
        assert main(args) == 2
        assert "--settle must be more than 0 and at most 30 seconds" in capsys.readouterr().out


def test_a_bad_registry_stops_the_scan_with_its_problems(tmp_path, capsys):
    bad = tmp_path / "consent.yml"
    bad.write_text("revision: 0\n", encoding="utf-8")
    assert main(["scan", str(tmp_path), "--registry", str(bad)]) == 1
    assert "revision: must be at least 1" in capsys.readouterr().err


def test_a_built_site_is_served_at_the_address_in_its_sitemap(tmp_path):
    (tmp_path / "sitemap.xml").write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://example.com/policy/en/</loc></url>"
        "<url><loc>https://example.com/policy/</loc></url></urlset>"
    )
    assert built_site_root(tmp_path) == "https://example.com/policy/"
