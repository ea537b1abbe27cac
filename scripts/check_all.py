"""`make check`: every editors' check, then a strict build; each problem said once.

    python scripts/check_all.py

All checks run, every problem is listed. The build runs into a throwaway folder and says only
what the checks have not said already (a registry problem, a broken link: the check's line
is enough); its verdict, `build: OK` or `build: FAILED`, is always the last line.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import re
import sys
import tempfile
from pathlib import Path

from build_site import build_lines
from checklib import ROOT

from consent_widget import text_files

CHECKS = (
    "check_files",
    "check_translations",
    "check_glossary",
    "check_nav",
    "check_registry",
    "check_revision",
    "check_links",
    "check_approved_text",
    "check_versions",
)
MKDOCS_LINK = re.compile(r"^Doc file '(.+?)' contains a(?:n unrecognized relative)? link '(.+?)'")
REGISTRY_HEADER = re.compile(r"^The consent registry has \d+ problems?:$")
# A check's verdict (`links: OK`, `links: 2 problems`): each check says its own.
STATUS_LINE = re.compile(r"^[a-z ]+: (OK|\d+ problems?)$")


def run_checks(emit=print) -> tuple[int, list[str]]:
    """Run every check (in this process: seconds saved); return the status and their lines.

    A problem two checks find (a file that is not UTF-8, which each check reading it names)
    is said once."""
    status, said = 0, []
    for name in CHECKS:
        output = io.StringIO()
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            try:
                status |= importlib.import_module(name).main([]) != 0
            except text_files.NotUTF8 as error:  # a file it reads: its words, not a crash
                print(error)
                status = 1
            except Exception as error:  # a check's own bug: say which, go on with the others
                print(
                    f"{name}: crashed ({type(error).__name__}: {error}): a bug in the check, "
                    f"not in your text: tell the web team"
                )
                status = 1
        for line in output.getvalue().splitlines():
            if line in said and not STATUS_LINE.match(line):
                continue
            emit(line)
            said.append(line)
    return status, said


def already_said(line: str, said: list[str]) -> bool:
    """True when a check has reported this build line's problem already."""
    if line in said or (REGISTRY_HEADER.match(line) and any("consent.yml:" in s for s in said)):
        return True
    link = MKDOCS_LINK.match(line)
    return bool(link) and any(link[1] in s and link[2] in s for s in said)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    status, said = run_checks()
    new = []

    def from_build(line: str) -> None:
        if line.startswith("build: FAILED"):
            line = "build: FAILED" if new else "build: FAILED (because of the problems above)"
        elif line.startswith("build: OK"):
            line = "build: OK (strict: internal links, anchors, translations)"
        elif already_said(line, said):
            return
        else:
            new.append(line)
        print(line)

    with tempfile.TemporaryDirectory() as scratch:
        status |= (
            build_lines(Path(scratch) / "site", ROOT / "mkdocs.yml", emit=from_build, quiet=True)
            != 0
        )
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main())
