"""Who must approve what (.github/CODEOWNERS): every file whose words are legal text is legal's.

GitHub asks the owners of the last matching line; a file the web team alone owns can change a
sentence visitors read as the company's word without legal seeing it (issue 18: the banner's
and dialog's words, consent_widget/texts.yml, were the web team's alone).
"""

from __future__ import annotations

import re
from pathlib import Path

import check_approved_text
import pytest

ROOT = Path(__file__).resolve().parents[2]
CODEOWNERS = ROOT / ".github" / "CODEOWNERS"


def rules() -> list[tuple[re.Pattern, list[str]]]:
    """(pattern, owners) in file order, patterns as GitHub reads the ones used here."""
    found = []
    for line in CODEOWNERS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        pattern, *owners = line.split()
        body = re.escape(pattern.strip("/")).replace(r"\*", "[^/]*")
        anchored = "^" if pattern.startswith("/") else "^(?:.*/)?"
        ending = "/.*$" if pattern.endswith("/") else "(?:/.*)?$"
        found.append((re.compile(anchored + body + ending), owners))
    return found


def owners(path: str) -> list[str]:
    """The owners GitHub asks for a file: the last line that matches wins."""
    matched = [owners for pattern, owners in rules() if pattern.match(path)]
    assert matched, f"{path}: no line of CODEOWNERS matches it"
    return matched[-1]


LEGAL_TEXT = [
    "consent.yml",  # categories, vendors and their texts: the banner, the dialog, the table
    "consent_widget/texts.yml",  # the banner's and the dialog's sentences
    "docs/ja/privacy.md",
    "docs/en/privacy.md",
    "docs/ja/index.md",
    "docs/en/index.md",
    "docs/glossary.yml",
    "docs/translation-exceptions.yml",
    "docs/REVIEW.md",
    "policy-versions/labels.yml",
    "policy-versions/2026-11-26/ja/privacy.md",
]


@pytest.mark.parametrize("path", LEGAL_TEXT)
def test_legal_text_is_legals_to_approve(path):
    assert (ROOT / path).exists(), path
    assert any("legal" in owner for owner in owners(path)), (path, owners(path))


def test_every_record_of_approved_wording_is_legals():
    """The records the approved-text check reads, whatever they are: changing one is the
    approval itself, so legal must be asked."""
    records = check_approved_text.records()
    assert {r.lang for r in records} == {"ja", "en"}
    for record in records:
        path = record.path.relative_to(ROOT).as_posix()
        assert record.path.exists(), path
        assert all("legal" in owner for owner in owners(path)), (path, owners(path))


@pytest.mark.parametrize(
    "path",
    [
        "consent_widget/registry.py",
        "consent_widget/assets/consent.js",
        "scripts/check_approved_text.py",
        "tests/unit/test_checks.py",
        "tests/unit/test_codeowners.py",
        "mkdocs.yml",
    ],
)
def test_code_stays_with_the_web_team(path):
    assert owners(path) == ["@example-org/web"], (path, owners(path))
