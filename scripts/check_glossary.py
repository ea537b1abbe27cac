"""Glossary: where a Japanese block uses an agreed term, its English counterpart uses the
agreed English term (docs/glossary.yml).

    python scripts/check_glossary.py

Blocks (headings, paragraphs, list items, footnotes, table rows) are paired section by section
in order. Where a section has a different number of blocks in the two languages (the parity
check reports that), the whole section is compared instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml
from checklib import DOCS, Block, Exceptions, Page, finish, page_pairs

GLOSSARY = DOCS / "glossary.yml"


def load_terms(path: Path = GLOSSARY) -> tuple[list[tuple[str, str]], list[str]]:
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
        terms.append((str(entry["ja"]), str(entry["en"])))
    return terms, problems


def sections(page: Page) -> dict[tuple[str, int], list[Block]]:
    """Blocks by (section anchor, times that anchor was seen before): a repeated anchor
    (the translation check reports it) starts a section of its own instead of a merge."""
    found: dict[tuple[str, int], list[Block]] = {}
    key = ("", 0)
    for block in page.blocks:
        if block.kind == "heading" and block.anchor:
            key = (block.anchor, sum(1 for anchor, _ in found if anchor == block.anchor))
        found.setdefault(key, []).append(block)
    return found


def compare(ja: Page, en: Page, terms: list[tuple[str, str]], exceptions: Exceptions) -> list[str]:
    name = ja.name
    problems = []
    en_sections = sections(en)
    for section, ja_blocks in sections(ja).items():
        en_blocks = en_sections.get(section, [])
        if [b.kind for b in ja_blocks] == [b.kind for b in en_blocks]:
            pairs = list(zip(ja_blocks, en_blocks, strict=True))
        else:
            pairs = [(_merge(ja_blocks), _merge(en_blocks))] if en_blocks else []
        for ja_block, en_block in pairs:
            for ja_term, en_term in terms:
                if ja_term in ja_block.text and en_term.lower() not in en_block.text.lower():
                    if exceptions.allows(name, "glossary", ja_term):
                        continue
                    problems.append(
                        f"{ja.rel}:{ja_block.line} ↔ {en.rel}:{en_block.line}: 「{ja_term}」 "
                        f'should be translated as "{en_term}" (docs/glossary.yml)'
                    )
    return problems


def _merge(blocks: list[Block]) -> Block:
    first = blocks[0]
    return Block(first.kind, first.line, "\n".join(b.text for b in blocks), first.section)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    terms, problems = load_terms()
    exceptions = Exceptions()
    problems = exceptions.problems + problems
    pairs, _missing = page_pairs()  # missing twins are the translation check's to report
    for ja, en in pairs:
        if not (ja.source_problems or en.source_problems):  # the translation check says why
            problems += compare(ja, en, terms, exceptions)
    problems += exceptions.unused({"glossary"})
    return finish("glossary", problems)


if __name__ == "__main__":
    sys.exit(main())
