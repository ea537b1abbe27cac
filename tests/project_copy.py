"""A copy of the whole project for tests that break or change it: every fixture copies the same
tree, so a new top-level folder the build needs (hosting/, policy-versions/) reaches them all."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The build's own outputs and tools, at the top of the project only (docs/assets/site.css stays).
TOP_LEVEL_IGNORED = {
    ".venv",
    ".git",
    "site",
    "test-artifacts",
    ".pytest_cache",
    ".ruff_cache",
    "node_modules",
}


def _ignored(folder: str, names: list[str]) -> set[str]:
    top = Path(folder) == ROOT
    return {
        n
        for n in names
        if n == "__pycache__" or (top and (n in TOP_LEVEL_IGNORED or n.startswith("site.")))
    }


def copy_project(target: Path) -> Path:
    shutil.copytree(ROOT, target, ignore=_ignored, dirs_exist_ok=True)
    return target
