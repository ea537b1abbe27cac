"""The archive of published versions: reading versions.yml and noticing any edit of a version."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "overrides" / "hooks"))

from policy_site.versions import archive as policy_archive  # noqa: E402


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(ROOT / policy_archive.FOLDER, tmp_path / policy_archive.FOLDER)
    return tmp_path


def test_the_shipped_archive_is_intact():
    archive = policy_archive.load(ROOT)
    assert archive.versions[0].date.isoformat() == "2026-11-26"
    assert archive.tampered() == []


def test_a_changed_missing_or_added_file_is_named(project):
    folder = project / "policy-versions/2026-11-26"
    (folder / "ja/privacy.md").write_text("書き換えた本文", encoding="utf-8")
    (folder / "en/vendors.html").unlink()
    (folder / "en/notes.txt").write_text("added later")
    problems = policy_archive.load(project).tampered()
    assert len(problems) == 3, problems
    assert problems[0].startswith(
        "policy-versions/2026-11-26/ja/privacy.md: changed after it was published on 2026-11-26"
    )
    assert problems[1].startswith("policy-versions/2026-11-26/en/vendors.html: missing")
    assert problems[2].startswith("policy-versions/2026-11-26/en/notes.txt: not part of")


@pytest.mark.parametrize(
    "old,new,message",
    [
        ("cookie_section: cookies\n", "", "'cookie_section' must name an anchor"),
        ("- date: 2026-11-26", "- date: 26/11/2026", "versions[0].date: must be a date"),
        ("pages:\n- privacy.md\n", "pages: privacy.md\n", "'pages' must list page names"),
        ("  files:\n", "  files: {}\n  old_files:\n", "versions[0].files: must map"),
    ],
)
def test_a_broken_index_names_the_key(project, old, new, message):
    index = project / "policy-versions/versions.yml"
    text = index.read_text(encoding="utf-8")
    assert old in text
    index.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(policy_archive.VersionsError) as error:
        policy_archive.load(project)
    assert str(error.value).startswith("policy-versions/versions.yml")
    assert message in str(error.value)


def test_versions_must_be_in_date_order(project):
    archive = policy_archive.load(project)
    archive.versions.append(archive.versions[0])
    (project / "policy-versions/versions.yml").write_text(policy_archive.dump(archive))
    with pytest.raises(policy_archive.VersionsError, match="in date order, each date once"):
        policy_archive.load(project)


def test_dump_reads_back_the_same(project):
    archive = policy_archive.load(project)
    (project / "policy-versions/versions.yml").write_text(policy_archive.dump(archive))
    assert policy_archive.load(project).versions == archive.versions
