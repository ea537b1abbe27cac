"""A copy of the real project with a second policy version released (for build and browser tests).

The copy's first version is made what today's pages and registry say (`first_version_as_it_is_today`);
then one Japanese and one English sentence of the cookie section change, the translation is
recorded, and `scripts/release.py` publishes the version of 2027-04-01 with `revision` raised.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import yaml

from consent_widget import registry as registry_module
from consent_widget.render import disclosure_table
from tests.project_copy import copy_project  # noqa: F401  (re-exported for the fixtures)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "overrides" / "hooks"))

from policy_site.versions import archive as policy_archive  # noqa: E402

SECOND = "2027-04-01"
FIRST = "2026-11-26"
JA_OLD = "当該第三者によって取得されたクッキー情報等は、当該第三者のプライバシーポリシーに従って取り扱われます。"
JA_NEW = "当該第三者によって取得されたクッキー情報等は、当該第三者が定めるプライバシーポリシーに従って適切に取り扱われます。"
EN_OLD = "Cookie information, etc. acquired by such a third party is handled in accordance with that third party's privacy policy."
EN_NEW = "Cookie information, etc. acquired by such a third party is handled properly in accordance with the privacy policy set by that third party."
# consent.yml's revision as shipped, and after the release (which raises it by one).
BASE_REVISION = yaml.safe_load((ROOT / "consent.yml").read_text(encoding="utf-8"))["revision"]
REVISION = BASE_REVISION + 1
SUMMARY = {
    "ja": "クッキー情報等の取り扱いの記述を改めました。",
    "en": "Clarified how cookie information is handled.",
}


def run(
    project: Path, *args: str, input: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """A script of the copied project, as an editor runs it (`make release` calls the same)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        capture_output=True,
        text=True,
        input=input,
        env={**os.environ, **(env or {})},
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: the sentence to change is not there once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def change_one_sentence_per_language(project: Path) -> None:
    edit(project / "docs/ja/privacy.md", JA_OLD, JA_NEW)
    edit(project / "docs/en/privacy.md", EN_OLD, EN_NEW)
    recorded = run(project, "scripts/check_translations.py", "--record", "privacy.md")
    assert recorded.returncode == 0, recorded.stderr


def first_version_as_it_is_today(project: Path) -> None:
    """The copy's first version as if it had been published from today's pages and registry.

    The real project changes after a release (a translation corrected, the vendor table's
    wording), and the comparison rightly shows all of that; these tests are about one sentence,
    so in their copy nothing else may differ between the two versions."""
    archive = policy_archive.load(project)
    first = archive.versions[0]
    folder = archive.version_dir(first.date)
    shipped = registry_module.load(project / "consent.yml")
    files = dict(first.files)
    for lang in policy_archive.LANGUAGES:
        for page in archive.pages:
            content = (project / "docs" / lang / page).read_bytes()
            (folder / lang / page).write_bytes(content)
            files[f"{lang}/{page}"] = policy_archive.fingerprint(content)
        table = (disclosure_table(shipped, lang) + "\n").encode("utf-8")
        (folder / lang / policy_archive.VENDOR_TABLE).write_bytes(table)
        files[f"{lang}/{policy_archive.VENDOR_TABLE}"] = policy_archive.fingerprint(table)
    registry = policy_archive.fingerprint((project / "consent.yml").read_bytes())
    archive.versions[0] = dataclasses.replace(first, files=files, registry=registry)
    archive.index_file.write_text(policy_archive.dump(archive), encoding="utf-8")


def release_second_version(project: Path) -> subprocess.CompletedProcess:
    first_version_as_it_is_today(project)
    change_one_sentence_per_language(project)
    result = run(
        project,
        "scripts/release.py",
        SECOND,
        "--summary-ja",
        SUMMARY["ja"],
        "--summary-en",
        SUMMARY["en"],
        "--raise-revision",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result
