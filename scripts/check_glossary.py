"""Glossary: where a Japanese block uses an agreed term, its English counterpart uses the
agreed English term (docs/glossary.yml); and where the English uses an agreed term that stands
for one Japanese term only (`reverse: true`), the Japanese says it (no silent correction).

    python scripts/check_glossary.py

Blocks (headings, paragraphs, list items, footnotes, table rows) are paired section by section
in order. Where a section has a different number of blocks in the two languages (the parity
check reports that), the whole section is compared instead.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from checklib import DOCS, Exceptions, Page, finish, page_pairs, paired_blocks

GLOSSARY = DOCS / "glossary.yml"


@dataclass(frozen=True)
class Term:
    ja: str
    en: str
    reverse: bool = False  # the English term stands for this Japanese term only
    also: tuple[str, ...] = ()  # other Japanese wordings of the same term

    def in_japanese(self, text: str) -> bool:
        return any(form in text for form in (self.ja, *self.also))

    def in_english(self, text: str) -> bool:
        return self.en.lower() in text.lower()


def load_terms(path: Path = GLOSSARY) -> tuple[list[Term], list[str]]:
    rel = path.relative_to(DOCS.parent) if path.is_relative_to(DOCS.parent) else path
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        return [], [f"{rel}: cannot be read ({exc})"]
    terms, problems = [], []
    for number, entry in enumerate(data.get("terms") or [], 1):
        if not isinstance(entry, dict) or not entry.get("ja") or not entry.get("en"):
            problems.append(f"{rel}: term {number} needs both ja: and en:")
            continue
        terms.append(
            Term(
                str(entry["ja"]),
                str(entry["en"]),
                bool(entry.get("reverse", False)),
                tuple(str(form) for form in entry.get("also") or ()),
            )
        )
    return terms, problems


def compare(ja: Page, en: Page, terms: list[Term], exceptions: Exceptions) -> list[str]:
    name = ja.name
    problems = []
    for ja_block, en_block in paired_blocks(ja, en):
        where = f"{ja.rel}:{ja_block.line} ↔ {en.rel}:{en_block.line}"
        for term in terms:
            if term.in_japanese(ja_block.text) and not term.in_english(en_block.text):
                if not exceptions.allows(name, "glossary", term.ja):
                    problems.append(
                        f'{where}: 「{term.ja}」 should be translated as "{term.en}" (docs/glossary.yml)'
                    )
            # The excused detail is the Japanese text itself: one heading or sentence, not a term.
            elif (
                term.reverse
                and term.in_english(en_block.text)
                and not term.in_japanese(ja_block.text)
                and not exceptions.allows(name, "added-term", ja_block.text)
            ):
                problems.append(
                    f'{where}: "{term.en}" stands for 「{term.ja}」 (docs/glossary.yml), which the '
                    "Japanese does not say here: translate what it says, or record the difference"
                )
    return problems


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    terms, problems = load_terms()
    exceptions = Exceptions()
    problems = exceptions.problems + problems
    pairs, _missing = page_pairs()  # missing twins are the translation check's to report
    unchecked = {ja.name for ja, en in pairs if ja.source_problems or en.source_problems}
    for ja, en in pairs:
        if ja.name not in unchecked:  # the translation check says why
            problems += compare(ja, en, terms, exceptions)
    problems += exceptions.unused({"glossary", "added-term"}, unchecked)
    return finish("glossary", problems)


if __name__ == "__main__":
    sys.exit(main())
