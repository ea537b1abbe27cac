"""The consent registry: it validates, and every gated script uses a category it defines.

    python scripts/check_registry.py [consent.yml]

A gated script is `<script type="text/plain" data-consent="CATEGORY" ...>` in the theme
overrides or the docs; a category the registry does not define would never run.
Vendors not yet marked `confirmed: true` by legal are listed as notes (not failures).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from checklib import DOCS, ROOT, SOURCE_LANG, TARGET_LANG, finish, plugin_settings

from consent_widget import marker, text_files
from consent_widget import registry as registry_module
from consent_widget.config import ConsentConfig

GATED = re.compile(r"""<script\b[^>]*\bdata-consent\s*=\s*["']([^"']*)["']""", re.I)
SEARCHED = ("overrides", "docs")


def gated_categories(root: Path = ROOT) -> list[tuple[str, str]]:
    """(file:line, category) of every gated script in templates and pages."""
    found = []
    for folder in SEARCHED:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".html", ".md") or not path.is_file():
                continue
            try:
                text = text_files.read(path)
            except text_files.NotUTF8:
                continue  # not a page the site can read: marker_problems() says so
            for match in GATED.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append((f"{path.relative_to(root).as_posix()}:{line}", match[1]))
    return found


def marker_problems(docs: Path = DOCS, config: Path = ROOT / "mkdocs.yml") -> list[str]:
    """The vendor-table marker on each page, as the build checks it (consent_widget/marker.py)."""
    defaults = {key: option.default for key, option in ConsentConfig._schema}
    settings = {**defaults, **plugin_settings("consent", config)}
    problems = []
    pages = [
        (lang, path) for lang in (SOURCE_LANG, TARGET_LANG) for path in (docs / lang).rglob("*.md")
    ]
    for lang, path in sorted(pages):
        required = path.relative_to(docs / lang).as_posix() == settings["policy_page"]
        rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        try:
            text = text_files.read(path, rel)
        except text_files.NotUTF8 as error:
            problems.append(str(error))
            continue
        problems += marker.problems(text, rel, required, settings["policy_anchor"])
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("registry", nargs="?", type=Path, default=ROOT / "consent.yml")
    path = parser.parse_args(argv).registry
    try:
        model = registry_module.load(path)
    except registry_module.RegistryError as error:
        return finish("registry", [str(p) for p in error.problems] + marker_problems())
    known = [c.id for c in model.categories]
    problems = marker_problems() + [
        f"{where}: gated script uses category '{category}', which {path.name} does not define "
        f"(known: {', '.join(known)})"
        for where, category in gated_categories()
        if category not in known
    ]
    notes = [
        f"{path.name}: vendor '{v.id}' is not yet confirmed by legal: set `confirmed: true` when it is"
        for v in model.vendors
        if not v.confirmed
    ]
    return finish("registry", problems, notes)


if __name__ == "__main__":
    sys.exit(main())
