"""Editors' check: published policy versions are never edited, and the pages' dates agree.

Every file under policy-versions/<date>/ must still be what was published (fingerprints in
policy-versions/versions.yml), and each versioned page's `last_updated` is the latest version's
date (`make release` writes both).
"""

from __future__ import annotations

import sys

from checklib import DOCS, ROOT, finish, read_page

sys.path.insert(0, str(ROOT / "overrides" / "hooks"))

import policy_archive


def main() -> int:
    try:
        archive = policy_archive.load(ROOT)
    except policy_archive.VersionsError as error:
        return finish("versions", [str(error)])
    problems = archive.tampered()
    latest = archive.versions[-1].date
    for lang in policy_archive.LANGUAGES:
        for name in archive.pages:
            path = DOCS / lang / name
            if not path.exists():
                problems.append(
                    f"{policy_archive.FOLDER}/{policy_archive.INDEX}: {name} is not in docs/{lang}/"
                )
                continue
            page = read_page(path, name)
            date = page.meta.get("last_updated")
            if str(date) != latest.isoformat():
                line = page.meta_lines.get("last_updated", 1)
                problems.append(
                    f"{page.rel}:{line}: last_updated is {date}, but the latest published version "
                    f"is of {latest}. To publish a new version run `make release DATE={date}`; "
                    f"otherwise set it back to {latest}."
                )
    return finish("versions", problems)


if __name__ == "__main__":
    sys.exit(main())
