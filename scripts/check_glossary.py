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
from checklib import (
    DOCS,
    EXCEPTIONS_FILE,
    Exceptions,
    Page,
    finish,
    not_compared,
    page_pairs,
    paired_blocks,
)

from consent_widget import text_files

GLOSSARY = DOCS / "glossary.yml"


@dataclass(frozen=True)
class Term:
    ja: str
    en: str
    reverse: bool = False  # the English term stands for this Japanese term only
    also: tuple[str, ...] = ()  # other Japanese wordings of the same term
    en_also: tuple[str, ...] = ()  # other English forms that say it (third parties, acquisition)

    def in_japanese(self, text: str) -> bool:
        return any(form in text for form in (self.ja, *self.also))

    def in_english(self, text: str) -> bool:
        return any(form.lower() in text.lower() for form in (self.en, *self.en_also))


def load_terms(path: Path = GLOSSARY) -> tuple[list[Term], list[str]]:
    rel = path.relative_to(DOCS.parent) if path.is_relative_to(DOCS.parent) else path
    try:
        data = yaml.safe_load(text_files.read(path, str(rel))) or {}
    except text_files.NotUTF8 as error:
        return [], [str(error)]
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
                tuple(str(form) for form in entry.get("en_also") or ()),
            )
        )
    return terms, problems


def same_sections(ja: Page, en: Page, exceptions: Exceptions) -> bool:
    """Every heading has an anchor, and both pages have the same ones in the same order (apart
    from differences recorded as deliberate)."""
    ja_anchors, en_anchors = ([b.anchor for b in p.of_kind("heading")] for p in (ja, en))
    if None in ja_anchors or None in en_anchors:
        return False
    excused = {
        anchor
        for anchor in set(ja_anchors) ^ set(en_anchors)
        if exceptions.allows(ja.name, "anchors", anchor)
    }
    return [a for a in ja_anchors if a not in excused] == [
        a for a in en_anchors if a not in excused
    ]


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


def check(docs: Path = DOCS) -> list[str]:
    """Every problem of the pages in `docs`, with its glossary and exceptions."""
    terms, problems = load_terms(docs / GLOSSARY.name)
    exceptions = Exceptions(docs / EXCEPTIONS_FILE.name)
    problems = exceptions.problems + problems
    pairs, _missing = page_pairs(docs)  # missing twins are the translation check's to report
    # The translation check says why a pair is not compared here: a problem in a page's source,
    # or sections that differ (blocks are paired by section: they would be paired wrongly).
    unchecked = not_compared(pairs, docs) | {
        ja.name for ja, en in pairs if not same_sections(ja, en, exceptions)
    }
    for ja, en in pairs:
        if ja.name not in unchecked:
            problems += compare(ja, en, terms, exceptions)
    return problems + exceptions.unused({"glossary", "added-term"}, unchecked)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    return finish("glossary", check())


if __name__ == "__main__":
    sys.exit(main())
