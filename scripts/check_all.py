"""`make check`: every editors' check, then a strict build; each problem said once.

    python scripts/check_all.py

All checks run, every problem is listed. The build runs into a throwaway folder and says only
what the checks have not said already (a registry problem, a broken link: the check's line
is enough); its verdict, `build: OK` or `build: FAILED`, is always the last line.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from build_site import build_lines
from checklib import ROOT

CHECKS = (
    "check_translations.py",
    "check_glossary.py",
    "check_nav.py",
    "check_registry.py",
    "check_revision.py",
    "check_links.py",
    "check_approved_text.py",
)
MKDOCS_LINK = re.compile(r"^Doc file '(.+?)' contains a(?:n unrecognized relative)? link '(.+?)'")
REGISTRY_HEADER = re.compile(r"^The consent registry has \d+ problems?:$")


def run_checks(emit=print) -> tuple[int, list[str]]:
    """Run every check; return the exit status and every line they printed."""
    status, said = 0, []
    for script in CHECKS:
        run = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / script)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in run.stdout.splitlines():
            emit(line)
            said.append(line)
        status |= run.returncode != 0
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
