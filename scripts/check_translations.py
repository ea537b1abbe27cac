"""Translation parity and staleness between docs/ja/X.md (the original) and docs/en/X.md.

    python scripts/check_translations.py                 # check every page pair
    python scripts/check_translations.py --record X.md   # after translating: record the version

Parity: same explicit anchors in the same order, same number of headings per level, list
items, footnotes, tables and table rows (per section), same link targets, same last_updated,
and the source's own markers (①, ※, ・, ○) kept at the start of the same blocks.
Staleness: each English page records in `translation_of:` the fingerprint of the Japanese page
it translates; when the Japanese page changes, the English one is reported out of date.
Deliberate differences go in docs/translation-exceptions.yml, each with a reason.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from checklib import (
    DOCS,
    OWN_MARKER,
    ROOT,
    SOURCE_LANG,
    TARGET_LANG,
    Exceptions,
    Page,
    finish,
    internal_link_problems,
    not_compared,
    page_pairs,
    page_source,
    paired_blocks,
)

from consent_widget import text_files

CHECKS = {
    "date",
    "anchors",
    "headings",
    "list-items",
    "footnotes",
    "tables",
    "links",
    "markers",
    "stale",
}


def fingerprint(path: Path) -> str:
    """What `translation_of` records: the Japanese page's text as it was translated."""
    content = path.read_bytes().removeprefix(text_files.BOM.encode()).replace(b"\r\n", b"\n")
    return hashlib.sha256(content).hexdigest()[:12]


def both(ja: Page, ja_line: int, en: Page, en_line: int) -> str:
    return f"{ja.rel}:{ja_line} ↔ {en.rel}:{en_line}"


def compare(
    ja: Page, en: Page, exceptions: Exceptions, pages: dict[Path, Page] | None = None
) -> list[str]:
    name = ja.name
    problems: list[str] = []

    def report(check: str, message: str, detail: str | None = None) -> None:
        if not exceptions.allows(name, check, detail):
            problems.append(message)

    # What stops a page from building is said once, in the build's words (page_source.py).
    # The pair is compared once both build: until then every difference is a consequence
    # (an unreadable date, a section that a repeated anchor merges with another).
    for page in (ja, en):
        problems += page.source_problems + page_source.style_problems(page.text, page.rel)
    if ja.source_problems or en.source_problems:
        return problems

    # The date, shown on both pages, must be the same day.
    ja_date, en_date = ja.meta.get("last_updated"), en.meta.get("last_updated")
    if str(ja_date) != str(en_date):
        report(
            "date",
            f"{both(ja, ja.meta_lines.get('last_updated', 1), en, en.meta_lines.get('last_updated', 1))}: "
            f"last_updated differs ({ja_date} in Japanese, {en_date} in English): use the same date",
        )

    # Anchors: every heading has an explicit { #id }, the same in both languages, in order.
    for page in (ja, en):
        for block in page.of_kind("heading"):
            if block.anchor is None:
                problems.append(
                    f"{page.rel}:{block.line}: heading '{block.text}' has no anchor: "
                    f"add one like {{ #my-section }} (the same in both languages)"
                )
    # A repeated anchor is reported with the page's source problems: compare its first use.
    ja_headings = _first_uses(b for b in ja.of_kind("heading") if b.anchor)
    en_headings = _first_uses(b for b in en.of_kind("heading") if b.anchor)
    ja_anchors = [b.anchor for b in ja_headings]
    en_anchors = [b.anchor for b in en_headings]
    en_by_anchor = {b.anchor: b for b in en_headings}
    ja_by_anchor = {b.anchor: b for b in ja_headings}
    for block in ja_headings:
        if block.anchor not in en_by_anchor:
            report(
                "anchors",
                f"{both(ja, block.line, en, _near(en, ja, block))}: anchor #{block.anchor} "
                f"('{block.text}') is missing in English",
                block.anchor,
            )
    for block in en_headings:
        if block.anchor not in ja_by_anchor:
            report(
                "anchors",
                f"{both(ja, _near(ja, en, block), en, block.line)}: anchor #{block.anchor} "
                f"('{block.text}') is not in the Japanese original",
                block.anchor,
            )
    common = [a for a in ja_anchors if a in en_by_anchor]
    if common != [a for a in en_anchors if a in ja_by_anchor]:
        first = next(
            a
            for a, b in zip(common, [a for a in en_anchors if a in ja_by_anchor], strict=True)
            if a != b
        )
        report(
            "anchors",
            f"{both(ja, ja_by_anchor[first].line, en, en_by_anchor[first].line)}: sections are in a "
            f"different order (#{first}): keep the Japanese order",
        )
    for anchor in common:
        j, e = ja_by_anchor[anchor], en_by_anchor[anchor]
        if j.level != e.level:
            report(
                "headings",
                f"{both(ja, j.line, en, e.line)}: #{anchor} is a level-{j.level} heading in Japanese "
                f"but level {e.level} in English ({'#' * j.level} expected)",
                anchor,
            )

    # Counts per section, so a difference points at the section where it is.
    for check, label, ja_items, en_items in (
        ("list-items", "list items", _lines(ja.of_kind("item")), _lines(en.of_kind("item"))),
        (
            "footnotes",
            "footnote references",
            [(line, sec) for _, line, sec in ja.footnote_refs],
            [(line, sec) for _, line, sec in en.footnote_refs],
        ),
        ("footnotes", "footnotes", _lines(ja.of_kind("footnote")), _lines(en.of_kind("footnote"))),
        (
            "tables",
            "tables",
            [(line, sec) for line, _, sec in ja.tables],
            [(line, sec) for line, _, sec in en.tables],
        ),
        ("tables", "table rows", _lines(ja.of_kind("row")), _lines(en.of_kind("row"))),
    ):
        ja_count = Counter(section for _, section in ja_items)
        en_count = Counter(section for _, section in en_items)
        for section in sorted(set(ja_count) | set(en_count), key=lambda s: ja.section_line(s)):
            if ja_count[section] != en_count[section]:
                where = f"section #{section}" if section else "the top of the page"
                report(
                    check,
                    f"{both(ja, _first(ja_items, section, ja), en, _first(en_items, section, en))}: "
                    f"{where} has {ja_count[section]} {label} in Japanese, "
                    f"{en_count[section]} in English",
                    section,
                )

    # Links: the same targets (in any order within a section: sentences may be reordered).
    # A section with a link that leads nowhere is the link check's to report (one message).
    pages = pages or {page.address: page for page in (ja, en)}
    broken = {
        section
        for page in (ja, en)
        for href, _, section in page.links
        if not urlsplit(href).scheme
        and not href.startswith(("mailto:", "tel:"))
        and internal_link_problems(page, href, "", pages)
    }
    ja_links = Counter((h, s) for h, _, s in ja.links if s not in broken)
    en_links = Counter((h, s) for h, _, s in en.links if s not in broken)
    for (href, section), count in (ja_links - en_links).items():
        line = next(ln for h, ln, s in ja.links if (h, s) == (href, section))
        report(
            "links",
            f"{both(ja, line, en, en.section_line(section))}: link to {href} "
            f"({count}×) is missing in the English text of #{section or 'top'}",
            href,
        )
    for (href, section), count in (en_links - ja_links).items():
        line = next(ln for h, ln, s in en.links if (h, s) == (href, section))
        report(
            "links",
            f"{both(ja, ja.section_line(section), en, line)}: link to {href} ({count}×) "
            f"in the English text of #{section or 'top'} is not in the Japanese original",
            href,
        )

    # Markers: the source numbers and flags blocks itself (①, ※ 1); a lost one loses a reference.
    for ja_block, en_block in paired_blocks(ja, en):
        marker = OWN_MARKER.match(ja_block.text)
        if marker and not en_block.text.lstrip().startswith(marker[1]):
            report(
                "markers",
                f"{both(ja, ja_block.line, en, en_block.line)}: the Japanese starts with the "
                f"marker {marker[1]} and the English does not: keep it, or record the difference",
                marker[1],
            )

    # Staleness: the English page must say which version of the Japanese page it translates.
    recorded = en.meta.get("translation_of")
    current = fingerprint(ja.path)
    if recorded is None:
        report(
            "stale",
            f"{en.rel}:1: front matter has no translation_of: once the English text matches "
            f"{ja.rel}, run `make translated PAGE={name}`",
        )
    elif str(recorded) != current:
        report(
            "stale",
            f"{en.rel}:{en.meta_lines.get('translation_of', 1)}: out of date: {ja.rel} changed "
            f"since it was translated (recorded {recorded}, now {current}). Update the English "
            f"text, then run `make translated PAGE={name}`",
        )
    return problems


def _first_uses(headings) -> list:
    seen: dict[str, object] = {}
    for block in headings:
        seen.setdefault(block.anchor, block)
    return list(seen.values())


def _lines(blocks) -> list[tuple[int, str]]:
    return [(b.line, b.section) for b in blocks]


def _first(items: list[tuple[int, str]], section: str, page: Page) -> int:
    lines = [line for line, sec in items if sec == section]
    return min(lines) if lines else page.section_line(section)


def _near(other: Page, this: Page, block) -> int:
    """Where in the other page the missing heading would be: its section before this one."""
    headings = [b for b in this.of_kind("heading") if b.anchor]
    index = headings.index(block)
    for previous in reversed(headings[:index]):
        line = other.section_line(previous.anchor)
        if line > 1:
            return line
    return 1


def record(given: str, docs: Path = DOCS) -> int:
    """Write the Japanese page's current fingerprint into the English page's front matter."""
    name = page_name(given, docs)
    ja, en = docs / SOURCE_LANG / name, docs / TARGET_LANG / name
    for path in (ja, en):
        if not path.exists():
            pages = sorted(
                p.relative_to(docs / SOURCE_LANG).as_posix()
                for p in (docs / SOURCE_LANG).rglob("*.md")
            )
            print(
                f"{_shown(path)}: not found (PAGE is a page's file name; pages: {', '.join(pages)})",
                file=sys.stderr,
            )
            return 1
    try:
        text = page_source.read(en, _shown(en)).replace("\r\n", "\n")
    except text_files.NotUTF8 as error:
        print(error, file=sys.stderr)
        return 1
    if not text.startswith("---\n"):
        print(f"{_shown(en)}: no front matter (--- … ---) at the top", file=sys.stderr)
        return 1
    value = fingerprint(ja)
    head, sep, body = text[4:].partition("\n---\n")
    if re.search(r"(?m)^translation_of:.*$", head):
        head = re.sub(r"(?m)^translation_of:.*$", f"translation_of: {value}", head)
    else:
        head = f"{head}\ntranslation_of: {value}"
    en.write_text(f"---\n{head}{sep}{body}", encoding="utf-8")
    print(f"{_shown(en)}: recorded as the translation of {ja.name} version {value}")
    return 0


def page_name(given: str, docs: Path = DOCS) -> str:
    """The page a PAGE= names, in any form an editor types: privacy.md, privacy,
    docs/en/privacy.md, en/privacy.md, ./docs/ja/privacy.md, a full path, docs\\en\\privacy.md."""
    path = Path(given.strip().replace("\\", "/"))
    if path.is_absolute():
        for base in (docs, Path.cwd()):
            if path.is_relative_to(base.resolve()):
                path = path.relative_to(base.resolve())
                break
    parts = [part for part in path.parts if part not in (".", "")]
    if parts[:1] == [docs.name]:
        parts = parts[1:]
    if parts[:1] in ([SOURCE_LANG], [TARGET_LANG]) and len(parts) > 1:
        parts = parts[1:]
    name = "/".join(parts)
    return name if name.endswith(".md") else f"{name}.md"


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--record", metavar="PAGE", help="record PAGE (e.g. privacy.md) as translated"
    )
    args = parser.parse_args(argv)
    if args.record:
        return record(args.record)
    exceptions = Exceptions()
    pairs, problems = page_pairs()
    problems = exceptions.problems + problems
    pages = {page.address: page for pair in pairs for page in pair}
    for ja, en in pairs:
        problems += compare(ja, en, exceptions, pages)
    problems += exceptions.unused(CHECKS, not_compared(pairs))
    return finish("translations", problems)


if __name__ == "__main__":
    sys.exit(main())
