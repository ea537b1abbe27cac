"""The Japanese policy says, sentence by sentence and in order, the approved text.

    python scripts/check_approved_text.py

`tests/fixtures/seed_privacy_ja.txt` records the wording legal approved; the browser tests
compare the built page with it too. Said here in seconds, with both lines: a sentence of the
record that the page does not carry (a slip, or an approved change whose record was not
updated in the same pull request).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

from checklib import DOCS, ROOT, finish, read_page

APPROVED = {"privacy.md": ROOT / "tests" / "fixtures" / "seed_privacy_ja.txt"}
FOOTNOTE_MARK = "※ {}"  # mkdocs.yml → footnotes → SUPERSCRIPT_TEXT: what a reader sees


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def visible(text: str) -> str:
    """Markdown as a reader sees it: link text, bare addresses, footnote marks."""
    text = re.sub(r"\[([^\]^][^\]]*)\]\([^)]+\)", r"\1", text)  # [text](url) → text
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)  # <url> → url
    return re.sub(r"\[\^([^\]]+)\]", lambda m: FOOTNOTE_MARK.format(m[1]), text)


def sentences(text: str) -> list[tuple[int, str]]:
    """(line, sentence) of the approved record; after each 。 unless a bracket closes it."""
    found = []
    for number, line in enumerate(visible(text).splitlines(), 1):
        line = re.sub(r"^- ", "", line.strip())  # Markdown list syntax, not policy text
        for sentence in re.split(r"(?<=。)(?![）」])", line):
            if sentence.strip():
                found.append((number, normalise(sentence)))
    return found


def problems(page_path: Path, approved: Path) -> list[str]:
    page = read_page(page_path)
    blocks = [(b.line, normalise(visible(b.text))) for b in page.blocks]
    text = " ".join(words for _, words in blocks)
    record = approved.relative_to(ROOT).as_posix() if approved.is_relative_to(ROOT) else approved
    found, position = [], 0
    for line, sentence in sentences(approved.read_text(encoding="utf-8")):
        at = text.find(sentence, position)
        if at >= 0:
            position = at + len(sentence)
            continue
        # Where the page says it differently: the block most like the sentence.
        page_line = max(
            blocks, key=lambda b: difflib.SequenceMatcher(None, sentence, b[1]).ratio()
        )[0]
        shown = sentence if len(sentence) <= 30 else sentence[:30] + "…"
        found.append(
            f"{page.rel}:{page_line}: differs from the approved text {record}:{line} "
            f"(「{shown}」): restore the approved wording, or, if legal approved the change, "
            f"write the new wording into {record} at line {line} in the same pull request"
        )
    return found


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    found = []
    for name, approved in APPROVED.items():
        found += problems(DOCS / "ja" / name, approved)
    return finish("approved text", found)


if __name__ == "__main__":
    sys.exit(main())
