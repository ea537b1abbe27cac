"""The policy pages say, sentence by sentence, the wording legal approved.

    python scripts/check_approved_text.py                    # compare both languages
    python scripts/check_approved_text.py --approve privacy.md   # record the English wording

Each language has its record of the approved text:
- Japanese (the legal original): `tests/fixtures/seed_privacy_ja.txt`, copied by hand from the
  text legal approved (CONTRIBUTING.md, "Changing the approved Japanese text");
- English (the translation): `tests/fixtures/approved_<page>_en.txt`, written by
  `make approve PAGE=<page>` once legal has approved the English wording.
Both files belong to legal (.github/CODEOWNERS): a changed record shows in the pull request for
legal to approve. Any sentence the page says differently, lacks or adds is one line, with the
changed characters (Japanese) or words (English) marked as `git diff --word-diff` does:
[-removed-]{+added+}, by the same comparison as the policy's versions pages (policy_diff.py).
The browser tests compare the built Japanese page with its record too.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from checklib import DOCS, ROOT, SOURCE_LANG, TARGET_LANG, finish, read_page

from consent_widget import text_files
from policy_site.versions import diff as policy_diff

FIXTURES = ROOT / "tests" / "fixtures"
# The Japanese record is the approved text as legal gave it; its name predates the English one.
JA_RECORDS = {"privacy.md": FIXTURES / "seed_privacy_ja.txt"}
# English pages always guarded (their record must exist); `make approve` may add others.
EN_GUARDED = ("privacy.md",)
FOOTNOTE_MARK = "※ {}"  # mkdocs.yml → footnotes → SUPERSCRIPT_TEXT: what a reader sees
MARKS = {"removed": ("[-", "-]"), "added": ("{+", "+}")}  # as `git diff --word-diff`
QUOTES = {"ja": ("「", "」"), "en": ('"', '"')}
# Kept text shown on each side of a change: characters (ja) or words and spaces (en).
CONTEXT = 12
RECORD_HEADER = (
    "# The English wording of docs/en/{page} as approved by legal: one paragraph, heading,\n"
    "# list item or footnote per line, as a reader sees it. Written by `make approve PAGE={page}`;\n"
    "# a change to this file is legal's approval (.github/CODEOWNERS). Do not edit by hand.\n"
)


@dataclass(frozen=True)
class Record:
    lang: str
    page: Path  # the Markdown page
    path: Path  # its record of the approved text
    name: str  # the page's file name, as `make approve PAGE=…` takes it


def en_record_path(name: str) -> Path:
    return FIXTURES / f"approved_{Path(name).stem}_{TARGET_LANG}.txt"


def records(docs: Path = DOCS) -> list[Record]:
    found = [Record(SOURCE_LANG, docs / SOURCE_LANG / n, p, n) for n, p in JA_RECORDS.items()]
    names = set(EN_GUARDED) | {
        page.name
        for page in (docs / TARGET_LANG).glob("*.md")
        if en_record_path(page.name).exists()
    }
    found += [
        Record(TARGET_LANG, docs / TARGET_LANG / n, en_record_path(n), n) for n in sorted(names)
    ]
    return found


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def visible(text: str) -> str:
    """Markdown as a reader sees it: link text, bare addresses, footnote marks."""
    text = re.sub(r"\[([^\]^][^\]]*)\]\([^)]+\)", r"\1", text)  # [text](url) → text
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)  # <url> → url
    return re.sub(r"\[\^([^\]]+)\]", lambda m: FOOTNOTE_MARK.format(m[1]), text)


def split(text: str, lang: str) -> list[str]:
    return [s for s in (normalise(s) for s in policy_diff.sentences(text, lang)) if s]


def sentences(text: str, lang: str = SOURCE_LANG) -> list[tuple[int, str]]:
    """(line, sentence) of a record: one block per line; `- ` (a list item) and `# ` lines
    (the English record's header) are not policy text."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line.startswith("# "):
            continue
        line = re.sub(r"^- ", "", line)  # Markdown list syntax, not policy text
        found += [(number, sentence) for sentence in split(visible(line), lang)]
    return found


def page_sentences(page, lang: str) -> list[tuple[int, str]]:
    return [(b.line, s) for b in page.blocks for s in split(visible(b.text), lang)]


def record_text(page, name: str) -> str:
    """The English record of a page: what `make approve` writes."""
    lines = [RECORD_HEADER.format(page=name)]
    previous = None
    for block in page.blocks:
        text = normalise(visible(block.text))
        if block.kind == "item":
            lines.append(("" if previous == "item" else "\n") + f"- {text}\n")
        else:
            lines.append(f"\n{text}\n")
        previous = block.kind
    return "".join(lines)


def marked(parts, lang: str) -> str:
    """The changed sentence with [-removed-]{+added+}; long kept stretches shortened."""
    out = []
    for index, part in enumerate(parts):
        if part.kind != "kept":
            start, end = MARKS[part.kind]
            out.append(f"{start}{part.text}{end}")
            continue
        pieces = policy_diff.tokens(part.text, lang)
        first, last = index == 0, index == len(parts) - 1
        keep_head = 0 if first else CONTEXT
        keep_tail = 0 if last else CONTEXT
        if len(pieces) > keep_head + keep_tail + 1:
            head = "".join(pieces[:keep_head]).rstrip()
            tail = "".join(pieces[len(pieces) - keep_tail :] if keep_tail else []).lstrip()
            spaced = lang != SOURCE_LANG  # words are spaced; Japanese characters are not
            before = " " if spaced and head else ""
            after = " " if spaced and head and tail else ""
            out.append(f"{head}{before}…{after}{tail}")
        else:
            out.append(part.text)
    return "".join(out)


def problems(page_path: Path, approved: Path, lang: str = SOURCE_LANG) -> list[str]:
    if not page_path.is_file():
        return []  # a page without its twin (or renamed): the translation check names it
    try:
        page = read_page(page_path)
    except text_files.NotUTF8 as error:
        return [str(error)]  # the same words as every other check: said once by make check
    if page.source_problems:
        return []  # the page cannot build: the translation check says why, once
    record = approved.relative_to(ROOT).as_posix() if approved.is_relative_to(ROOT) else approved
    if not approved.exists():
        return [
            f"{page.rel}:1: has no record of its approved wording ({record}): once legal has "
            f"approved it, run `make approve PAGE={page_path.name}`"
        ]
    try:
        wanted = sentences(text_files.read(approved, str(record)), lang)
    except text_files.NotUTF8 as error:
        return [str(error)]
    said = page_sentences(page, lang)
    open_, close = QUOTES[lang]
    found = []
    for change in policy_diff.sentence_changes([s for _, s in wanted], [s for _, s in said], lang):
        record_line = _line(wanted, change.old_at)
        page_line = _line(said, change.new_at)
        quoted = f"{open_}{marked(change.parts, lang)}{close}"
        where = f"{page.rel}:{page_line}"
        if lang != SOURCE_LANG:
            approval = f"run `make approve PAGE={page_path.name}` and commit {record}"
        elif change.old is None:
            approval = f"add it to {record} at line {record_line}"
        elif change.new is None:
            approval = f"remove it from {record} at line {record_line}"
        else:
            approval = f"write the new wording into {record} at line {record_line}"
        approval = f"if legal approved the change, {approval} in the same pull request"
        if change.old is not None and change.new is not None:
            found.append(
                f"{where}: differs from the approved text {record}:{record_line}: {quoted}: "
                f"restore the approved wording, or, {approval}"
            )
        elif change.old is not None:
            found.append(
                f"{where}: lacks a sentence of the approved text {record}:{record_line}: "
                f"{quoted}: restore it, or, {approval}"
            )
        else:
            found.append(
                f"{where}: says a sentence the approved text {record} does not have (near line "
                f"{record_line}): {quoted}: remove it, or, {approval}"
            )
    return found


def _line(found: list[tuple[int, str]], index: int) -> int:
    """The line of the sentence at `index` (past the last one: the last one's line)."""
    return found[min(index, len(found) - 1)][0] if found else 1


def approve(name: str, docs: Path = DOCS) -> int:
    """Record the English page's current wording as approved."""
    page_path = docs / TARGET_LANG / name
    if not page_path.exists():
        print(
            f"{_shown(page_path)}: not found (PAGE is a file name such as privacy.md)",
            file=sys.stderr,
        )
        return 1
    try:
        page = read_page(page_path)
    except text_files.NotUTF8 as error:
        print(error, file=sys.stderr)
        return 1
    if page.source_problems:
        for problem in page.source_problems:
            print(problem, file=sys.stderr)
        print(f"{page.rel}: fix the page first; nothing was recorded", file=sys.stderr)
        return 1
    path = en_record_path(name)
    before = path.read_text(encoding="utf-8") if path.exists() else None
    text = record_text(page, name)
    if before == text:
        print(f"{_shown(path)}: already records the wording of {page.rel}; nothing changed")
        return 0
    changed = (
        len(
            policy_diff.sentence_changes(
                [s for _, s in sentences(before, TARGET_LANG)],
                [s for _, s in sentences(text, TARGET_LANG)],
                TARGET_LANG,
            )
        )
        if before is not None
        else None
    )
    path.write_text(text, encoding="utf-8")
    what = (
        "created" if changed is None else f"{changed} sentence{'s' if changed != 1 else ''} changed"
    )
    print(
        f"{_shown(path)}: recorded the wording of {page.rel} as approved ({what}). Commit it in "
        f"this pull request: legal reviews the change there"
    )
    return 0


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--approve", metavar="PAGE", help="record the English PAGE (e.g. privacy.md) as approved"
    )
    args = parser.parse_args(argv)
    if args.approve:
        return approve(args.approve)
    found = []
    for record in records():
        found += problems(record.page, record.path, record.lang)
    notes = (
        ["[-…-] is the approved wording the page no longer says, {+…+} what it says instead"]
        if any("{+" in line or "[-" in line for line in found)
        else []
    )
    return finish("approved text", found, notes)


if __name__ == "__main__":
    sys.exit(main())
