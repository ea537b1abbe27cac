"""The policy's words: the Japanese site carries the seed verbatim; English mirrors its structure."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.project_copy import copy_project

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed_privacy_ja.txt"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def seed_sentences() -> list[str]:
    """Every sentence of the seed as a visitor reads it: Markdown syntax removed."""
    text = SEED.read_text(encoding="utf-8")
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)  # [text](url) → text
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)  # <url> → url
    sentences = []
    for line in text.splitlines():
        line = re.sub(r"^- ", "", line.strip())  # Markdown list syntax, not policy text
        # Split after each 。 unless a closing bracket follows it (it belongs to the quote).
        sentences += [s for s in re.split(r"(?<=。)(?![）」])", line) if s.strip()]
    return [normalise(s) for s in sentences]


def article_text(html: str) -> str:
    article = BeautifulSoup(html, "html.parser").select_one("article")
    for permalink in article.select("a.headerlink"):
        permalink.decompose()
    return normalise(article.get_text())


def test_seed_is_split_into_sentences():
    sentences = seed_sentences()
    assert len(sentences) > 50
    assert "共用利用プライバシーポリシー" in sentences


def test_japanese_page_carries_every_seed_sentence_in_order(site):
    page = article_text(site.html("privacy/"))
    position = 0
    missing = []
    for sentence in seed_sentences():
        found = page.find(sentence, position)
        if found < 0:
            missing.append(sentence)
        else:
            position = found + len(sentence)
    assert not missing, "not on the page verbatim (or out of order):\n" + "\n".join(missing)


def structure(html: str) -> dict:
    article = BeautifulSoup(html, "html.parser").select_one("article")
    return {
        "anchors": [h["id"] for h in article.select("h1, h2, h3, h4, h5, h6") if h.get("id")],
        "heading levels": [h.name for h in article.select("h1, h2, h3, h4, h5, h6")],
        "list items": [
            len(lst.find_all("li", recursive=False)) for lst in article.select("ul, ol")
        ],
        "footnote refs": [a["href"] for a in article.select("a.footnote-ref")],
        "footnotes": [li["id"] for li in article.select(".footnote li")],
        # The vendor table links each vendor's pages in the page's language (tested with the plugin).
        "links": [
            a["href"]
            for a in article.select("a[href]:not(.headerlink)")
            if not a.find_parent(class_="cw-disclosure")
        ],
        "tables": len(article.select("table")),
    }


@pytest.mark.parametrize("path", ["", "privacy/"])
def test_english_page_has_the_same_structure(site, path):
    ja = structure(site.html(path))
    en = structure(site.html("en/" + path))
    assert ja["anchors"], "no anchors found"
    for key in ja:
        assert en[key] == ja[key], f"{key} differ on {path or 'home'}"


def test_footnotes_keep_their_visible_numbering(site):
    article = BeautifulSoup(site.html("privacy/"), "html.parser").select_one("article")
    refs = [a.get_text() for a in article.select("a.footnote-ref")]
    assert refs == [f"※ {n}" for n in range(1, 6)]
    notes = [li.get_text(" ", strip=True)[:3] for li in article.select(".footnote li")]
    assert notes == [f"※ {n}" for n in range(1, 6)]


def test_in_page_reference_links_to_the_joint_use_section(site):
    soup = BeautifulSoup(site.html("privacy/"), "html.parser")
    link = soup.find("a", string="「共同利用プライバシーポリシー」")
    assert link is not None and link["href"] == "#joint-use-policy"
    assert soup.find(id="joint-use-policy") is not None


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the real project's site sources, to break."""
    return copy_project(tmp_path / "project")


def build_errors(project: Path) -> str:
    run = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve().parents[2] / "scripts/build_site.py"),
            "--site-dir",
            str(project / "site"),
            "--config",
            str(project / "mkdocs.yml"),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0, "the build should have failed"
    assert "Traceback" not in run.stderr
    assert not (project / "site").exists(), "a failed build must not leave a site behind"
    return run.stderr


def test_impossible_date_is_quoted_with_the_file(project):
    page = project / "docs" / "en" / "privacy.md"
    page.write_text(
        page.read_text().replace("last_updated: 2026-11-26", "last_updated: 2026-13-45")
    )
    assert (
        "docs/en/privacy.md:4: last_updated: 2026-13-45 is not a real date: write a day that "
        "exists as YYYY-MM-DD, e.g. 2026-11-26" in build_errors(project)
    )


def test_missing_translation_is_named(project):
    (project / "docs" / "en" / "privacy.md").unlink()
    # The words of `make check` (page_source.twins): one rule, said alike.
    assert (
        "docs/ja/privacy.md: has no English version: create docs/en/privacy.md"
        in build_errors(project).splitlines()
    )


def test_broken_anchor_fails_the_strict_build(project):
    page = project / "docs" / "en" / "index.md"
    page.write_text(page.read_text().replace("privacy.md#cookies", "privacy.md#cookie"))
    errors = build_errors(project)
    assert "en/index.md" in errors and "privacy.md#cookie" in errors, errors
