"""The files editors change are UTF-8; Windows line endings (CRLF) are noted.

    python scripts/check_files.py

A file that is not UTF-8 (Shift_JIS / CP932, as Japanese Windows editors often save) is one
problem naming it and the fix, in the words every check and the build use
(consent_widget/text_files.py). CRLF line endings build the same site, and `.gitattributes`
has git store the file with LF, so a pull request shows only the real changes: a note, so the
editor can set the editor program to LF.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from checklib import ROOT, finish

from consent_widget import text_files

# What editors change (CONTRIBUTING.md, "What is where").
EDITOR_FILES = (
    "docs/**/*.md",
    "docs/*.yml",
    "consent.yml",
    "mkdocs.yml",
    "tests/fixtures/seed_privacy_ja.txt",
)


def editor_files(root: Path = ROOT) -> list[Path]:
    return sorted({path for pattern in EDITOR_FILES for path in root.glob(pattern)})


def check(root: Path = ROOT) -> tuple[list[str], list[str]]:
    problems, notes = [], []
    for path in editor_files(root):
        rel = path.relative_to(root).as_posix()
        data = path.read_bytes()
        try:
            text_files.decode(data, rel)
        except text_files.NotUTF8 as error:
            problems.append(str(error))
            continue
        if text_files.has_crlf(data):
            notes.append(
                f"{rel}: saved with Windows line endings (CRLF). The site is the same, and git "
                f"stores the file with LF (.gitattributes), so the pull request shows only your "
                f"changes; to keep them out of your copy too, set your editor to LF (VS Code: "
                f"click CRLF in the status bar)"
            )
    return problems, notes


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    problems, notes = check()
    return finish("files", problems, notes)


if __name__ == "__main__":
    sys.exit(main())
