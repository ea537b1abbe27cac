"""Editors' check: published policy versions are never edited, and the pages' dates agree.

Every file under policy-versions/<date>/ must still be what was published (fingerprints in
policy-versions/versions.yml), and each versioned page's `last_updated` is the latest version's
date (`make release` writes both).
"""

from __future__ import annotations

import sys

from checklib import DOCS, ROOT, finish, page_files, read_page

sys.path.insert(0, str(ROOT / "overrides" / "hooks"))

from consent_widget import registry as registry_module
from consent_widget import text_files
from policy_site.versions import archive as policy_archive


def main(argv: list[str] | None = None) -> int:
    try:
        archive = policy_archive.load(ROOT)
    except policy_archive.VersionsError as error:
        return finish("versions", [str(error)])
    problems = archive.tampered()
    notes = _revision_notes(archive)
    latest = archive.versions[-1].date
    files = page_files()  # a file misnamed in letter case: the translation check names it
    for lang in policy_archive.LANGUAGES:
        for name in archive.pages:
            path = DOCS / lang / files.pages.get(name, {}).get(lang, name)
            if not path.exists():
                problems.append(
                    f"{policy_archive.FOLDER}/{policy_archive.INDEX}: {name} is not in docs/{lang}/"
                )
                continue
            try:
                page = read_page(path, name)
            except text_files.NotUTF8 as error:
                problems.append(str(error))
                continue
            if page.source_problems:
                continue  # an unreadable front matter or date: the translation check says why
            date = page.meta.get("last_updated")
            if str(date) != latest.isoformat():
                line = page.meta_lines.get("last_updated", 1)
                problems.append(
                    f"{page.rel}:{line}: last_updated is {date}, but the latest published version "
                    f"is of {latest}. To publish a new version run `make release DATE={date}`; "
                    f"otherwise set it back to {latest}."
                )
    return finish("versions", problems, notes)


def _revision_notes(archive) -> list[str]:
    """A `revision` raised after the latest release: the banner will not announce a change."""
    try:
        current = registry_module.load(ROOT / "consent.yml").revision
    except registry_module.RegistryError:
        return []  # check_registry.py reports it
    latest = archive.versions[-1]
    if latest.revision is None or current <= latest.revision:
        return []
    return [
        f"consent.yml: revision {current} is newer than the one the version of {latest.date} was "
        f"published with ({latest.revision}). Visitors are asked again without being told the "
        f"policy changed. If the rise belongs to that release, set `revision: {current}` in its "
        f"entry of {policy_archive.FOLDER}/{policy_archive.INDEX}."
    ]


if __name__ == "__main__":
    sys.exit(main())
