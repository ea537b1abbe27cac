"""The consent plugin inside a real `mkdocs build`, on a fixture project and on the real site."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup
from build_site import build

from consent_widget import registry

from ..unit.test_registry import VALID

PROJECT = Path(__file__).parent / "projects" / "minimal"


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    (root / "consent.yml").write_text(VALID, encoding="utf-8")
    return root


def mkdocs_build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(root / "site")],
        cwd=root,
        capture_output=True,
        text=True,
    )


def test_plugin_adds_hashed_deferred_asset_and_table(project):
    run = mkdocs_build(project)
    assert run.returncode == 0, run.stderr
    site = project / "site"
    assets = sorted(p.name for p in (site / "assets").iterdir())
    js = next(n for n in assets if re.fullmatch(r"consent\.en\.[0-9a-f]{10}\.js", n))
    css = next(n for n in assets if re.fullmatch(r"consent\.[0-9a-f]{10}\.css", n))
    for page in ("index.html", "privacy/index.html"):
        soup = BeautifulSoup((site / page).read_text(), "html.parser")
        script = soup.find("script", src=re.compile(re.escape(js)))
        assert script is not None and script.has_attr("defer")
        assert soup.find("link", href=re.compile(re.escape(css)))
    privacy = BeautifulSoup((site / "privacy/index.html").read_text(), "html.parser")
    assert privacy.select_one(".cw-disclosure table tbody th").get_text() == "Google Ads"
    # Sub-path hosting: the consent cookie is scoped to the site's root path.
    assert '"path":"/policy/"' in (site / "assets" / js).read_text()


def test_no_inline_script_or_style_from_the_plugin(project):
    assert mkdocs_build(project).returncode == 0
    for page in (project / "site").rglob("*.html"):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        inline = [s for s in soup.find_all("script") if not s.get("src") and "consent" in s.text]
        assert not inline, page
        assert not [s for s in soup.find_all("style") if "cw-" in s.text], page


def test_bad_registry_fails_the_build_with_a_plain_message(project):
    bad = VALID.replace("opt_out_url: https://", "opt_out_url: http://")
    (project / "consent.yml").write_text(bad, encoding="utf-8")
    run = mkdocs_build(project)
    assert run.returncode != 0
    assert "The consent registry has 1 problem" in run.stderr
    assert (
        "consent.yml:19: vendors[0].opt_out_url: must be a web address starting with https://"
        in run.stderr
    )
    assert "Traceback" not in run.stderr


def test_failed_build_leaves_the_previous_site_in_place(project, capsys):
    site = project / "site"
    assert build(site, project / "mkdocs.yml") == 0
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    (project / "consent.yml").write_text(
        VALID.replace("revision: 3", "revision: x"), encoding="utf-8"
    )
    assert build(site, project / "mkdocs.yml") != 0
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    leftovers = [p.name for p in project.iterdir() if p.name.startswith("site.")]
    assert not leftovers, leftovers


def test_missing_policy_page_is_named(project):
    (project / "docs" / "privacy.md").unlink()
    run = mkdocs_build(project)
    assert run.returncode != 0
    assert "policy_page 'privacy.md' was not found" in run.stderr


def test_real_site_has_the_table_in_both_languages(site):
    for path, caption in (("privacy/", "外部送信"), ("en/privacy/", "Information sent")):
        soup = BeautifulSoup(site.html(path), "html.parser")
        table = soup.select_one("#cookies ~ .cw-disclosure table")
        assert table is not None, path
        assert caption in table.caption.get_text()
        assert len(table.select("tbody tr")) == 5
    # Each language links the vendors' pages in its own language (the registry's choice).
    shipped = registry.load(Path(__file__).resolve().parents[2] / "consent.yml")
    for path, lang in (("privacy/", "ja"), ("en/privacy/", "en")):
        links = [
            a["href"]
            for a in BeautifulSoup(site.html(path), "html.parser").select(".cw-disclosure a")
        ]
        expected = [
            url
            for category in shipped.categories
            for vendor in shipped.vendors_of(category.id)
            for url in (vendor.privacy_url[lang], vendor.opt_out_url[lang])
        ]
        assert links == expected, path
    english = BeautifulSoup(site.html("en/privacy/"), "html.parser").select(".cw-disclosure a")
    assert not [a["href"] for a in english if re.search(r"[?&](hl|lang)=ja\b", a["href"])]


def test_footer_control_is_a_real_link_to_the_cookie_section(site):
    # クッキー設定, as the policy and the home page say クッキー (it said Cookie設定).
    for path, href, text in (
        ("privacy/", "privacy/#cookies", "クッキー設定"),
        ("en/", "en/privacy/#cookies", "Cookie settings"),
        ("404.html", "privacy/#cookies", "クッキー設定"),
        ("en/404.html", "en/privacy/#cookies", "Cookie settings"),
    ):
        soup = BeautifulSoup(site.html(path), "html.parser")
        link = soup.select_one("footer a[data-consent-open]")
        assert link is not None, path
        # Relative (an absolute path on the 404 pages, served at any depth): any origin works.
        assert not link["href"].startswith(("http:", "https:", "//")), link
        assert urljoin(site.page(path), link["href"]) == site.page(href)
        assert link.get_text(strip=True) == text


def test_built_site_is_readable_by_the_web_server(project):
    site = project / "site"
    assert build(site, project / "mkdocs.yml") == 0
    assert site.stat().st_mode & 0o755 == 0o755
