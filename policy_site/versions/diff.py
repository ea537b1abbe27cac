"""What changed between two versions of a page, marked in place (not a hook itself).

The rendered page is cut into blocks (headings, paragraphs, list items, table rows), the
blocks into sentences, and `difflib` compares them level by level: a changed sentence shows
its removed and added parts inside it — characters for Japanese, which has no spaces between
words, words for English. Everything is escaped; the only markup made is `<del>`/`<ins>`.

The same comparison, as plain parts (`sentence_changes`, `sentence_parts`), tells an editor
what changed against the approved text (scripts/check_approved_text.py).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import partial
from html import escape
from html.parser import HTMLParser
from itertools import zip_longest

# Text content: quotes stay as they are (they need no escaping outside attributes).
escape = partial(escape, quote=False)
BLOCK_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "caption"}
# Links the theme adds to headings and footnotes (¶, ↩): not part of the text.
SKIPPED_CLASSES = {"headerlink", "footnote-backref"}
# Not before a closing bracket: 「…といいます。）」 ends inside the bracket, not the sentence.
JA_SENTENCE_END = re.compile(r"(?<=。)(?![）」』])|\n")
# Not after "etc." inside a sentence: a new English sentence starts with a capital or a quote.
EN_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])|\n")
# Words, with a possessive or contraction ('s, ’t) as a part of its own: "party's" → party 's.
EN_TOKENS = re.compile(r"\s+|\w+|['’]\w+|[^\w\s]")
# Below this similarity a sentence is shown as removed and added whole: marking the few
# characters two unrelated sentences share would only make them unreadable.
PAIR_SIMILARITY = 0.5


@dataclass(frozen=True)
class Block:
    tag: str  # h1…h6, p, li, tr, caption
    text: str


@dataclass(frozen=True)
class DiffBlock:
    tag: str
    html: str  # escaped text with <del>/<ins>
    changed: bool


@dataclass(frozen=True)
class Part:
    """A stretch of a compared sentence: as it was (`kept`), `removed` or `added`."""

    kind: str
    text: str


@dataclass(frozen=True)
class SentenceChange:
    """One sentence changed, removed (`new` is None) or added (`old` is None); its parts."""

    old: int | None  # index in the old sentences
    new: int | None  # index in the new sentences
    parts: tuple[Part, ...]
    # Where it is on each side; on the side without it, the index of the sentence it would precede.
    old_at: int
    new_at: int


@dataclass(frozen=True)
class Labels:
    """What a screen reader says where a removal or an addition starts and ends."""

    removed: str
    removed_end: str
    added: str
    added_end: str


class _BlockParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._stack: list[tuple[str, list[str]]] = []  # open blocks, innermost last
        self._skip = 0  # depth inside a skipped element
        self._cells = 0  # cells seen in the current row

    def handle_starttag(self, tag, attrs):
        classes = set((dict(attrs).get("class") or "").split())
        if self._skip or classes & SKIPPED_CLASSES:
            self._skip += 1
            return
        if tag in BLOCK_TAGS and not (tag == "p" and self._in("li")):
            self._stack.append((tag, []))
        elif tag in ("td", "th") and self._stack and self._stack[-1][0] == "tr":
            if self._cells:
                self._stack[-1][1].append(" | ")
            self._cells += 1
        elif tag == "br" and self._stack:
            self._stack[-1][1].append(" ")

    def handle_endtag(self, tag):
        if self._skip:
            self._skip -= 1
            return
        if self._stack and self._stack[-1][0] == tag:
            name, parts = self._stack.pop()
            text = re.sub(r"[ \t\r\f\v]+", " ", "".join(parts)).strip()
            if text:
                self.blocks.append(Block(name, text))
            if tag == "tr":
                self._cells = 0

    def handle_data(self, data):
        if not self._skip and self._stack:
            self._stack[-1][1].append(data)

    def _in(self, tag: str) -> bool:
        return any(name == tag for name, _ in self._stack)


def blocks_of(html: str) -> list[Block]:
    """The text blocks of rendered HTML, in reading order (a nested list item comes first)."""
    parser = _BlockParser()
    parser.feed(html)
    parser.close()
    return parser.blocks


def sentences(text: str, lang: str) -> list[str]:
    """Japanese ends a sentence at 。, English at . ! ? before a space; both at a line end."""
    pattern = JA_SENTENCE_END if lang == "ja" else EN_SENTENCE_END
    parts = pattern.split(text)
    # English keeps the space after a sentence with the sentence it ends.
    if lang != "ja":
        spaced = EN_SENTENCE_END.finditer(text)
        parts = [p + (m[0] if m else "") for p, m in zip(parts, [*spaced, None], strict=False)]
    return [p for p in parts if p]


def tokens(text: str, lang: str) -> list[str]:
    return list(text) if lang == "ja" else EN_TOKENS.findall(text)


def compare(old: list[Block], new: list[Block], lang: str, labels: Labels) -> list[DiffBlock]:
    """The new text block by block, with what was removed and added marked where it was."""
    out: list[DiffBlock] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [DiffBlock(b.tag, escape(b.text), False) for b in new[j1:j2]]
            continue
        for before, after in _pairs(old[i1:i2], new[j1:j2], lang, lambda b: b.text):
            if before and after:
                html = _sentences_diff(before.text, after.text, lang, labels)
                out.append(DiffBlock(after.tag, html, True))
            elif before:
                out.append(DiffBlock(before.tag, _mark("del", before.text, labels), True))
            else:
                out.append(DiffBlock(after.tag, _mark("ins", after.text, labels), True))
    return out


def _sentences_diff(old: str, new: str, lang: str, labels: Labels) -> str:
    a, b = sentences(old, lang), sentences(new, lang)
    html = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            html.append(escape("".join(b[j1:j2])))
            continue
        for before, after in _pairs(a[i1:i2], b[j1:j2], lang, lambda s: s):
            html.append(_inline_diff(before or "", after or "", lang, labels))
    return "".join(html)


def _pairs(olds: list, news: list, lang: str, text_of) -> list[tuple]:
    """Which old item became which new one, in order. Similar items pair up; between two such
    pairs, the items left over on both sides are rewrites of each other, one by one, and the
    rest were removed or added whole (so a paragraph added before a changed one is not read as
    a rewrite of it)."""
    pairs, start, unmatched = [], 0, []
    for before in olds:
        candidates = range(start, len(news))
        match = next(
            (k for k in candidates if _similar(text_of(before), text_of(news[k]), lang)), None
        )
        if match is None:
            unmatched.append(before)
            continue
        pairs += [*zip_longest(unmatched, news[start:match]), (before, news[match])]
        start, unmatched = match + 1, []
    return pairs + list(zip_longest(unmatched, news[start:]))


def _similar(old: str, new: str, lang: str) -> bool:
    matcher = difflib.SequenceMatcher(None, tokens(old, lang), tokens(new, lang), autojunk=False)
    return matcher.quick_ratio() >= PAIR_SIMILARITY and matcher.ratio() >= PAIR_SIMILARITY


def sentence_changes(old: list[str], new: list[str], lang: str) -> list[SentenceChange]:
    """How one list of sentences became the other: every sentence changed, removed or added,
    in order, paired as the comparison pages pair them (similar sentences are one change)."""
    changes = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        olds, news = list(enumerate(old))[i1:i2], list(enumerate(new))[j1:j2]
        old_at, new_at = i1, j1
        for before, after in _pairs(olds, news, lang, lambda item: item[1]):
            old_at, new_at = before[0] if before else old_at, after[0] if after else new_at
            parts = sentence_parts(before[1] if before else "", after[1] if after else "", lang)
            changes.append(
                SentenceChange(
                    before[0] if before else None,
                    after[0] if after else None,
                    parts,
                    old_at,
                    new_at,
                )
            )
            old_at, new_at = old_at + bool(before), new_at + bool(after)
    return changes


def sentence_parts(old: str, new: str, lang: str) -> tuple[Part, ...]:
    """One changed sentence as what was kept, removed and added, in reading order: characters
    for Japanese, words for English. Two sentences too unlike to pair are removed and added
    whole."""
    a, b = tokens(old, lang), tokens(new, lang)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if not a or not b or matcher.ratio() < PAIR_SIMILARITY:
        parts = [Part("removed", old), Part("added", new)]
    else:
        parts = []
        opcodes = _space_last(_absorb_short_matches(matcher.get_opcodes(), a), a, b)
        for op, i1, i2, j1, j2 in opcodes:
            if op == "equal":
                parts.append(Part("kept", "".join(b[j1:j2])))
            if op in ("delete", "replace"):
                parts.append(Part("removed", "".join(a[i1:i2])))
            if op in ("insert", "replace"):
                parts.append(Part("added", "".join(b[j1:j2])))
    return tuple(part for part in parts if part.text)


def _inline_diff(old: str, new: str, lang: str, labels: Labels) -> str:
    """One changed sentence: the parts removed and added inside it."""
    tag = {"removed": "del", "added": "ins"}
    return "".join(
        escape(part.text) if part.kind == "kept" else _mark(tag[part.kind], part.text, labels)
        for part in sentence_parts(old, new, lang)
    )


def _absorb_short_matches(opcodes, a: list[str]) -> list[tuple[str, int, int, int, int]]:
    """A lone matching character or space between two changes joins them (one change to read)."""
    merged: list[list] = []
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        between = 0 < index < len(opcodes) - 1
        if op == "equal" and between and len("".join(a[i1:i2]).strip()) <= 1:
            op = "replace"
        if merged and op != "equal" and merged[-1][0] != "equal":
            merged[-1] = ["replace", merged[-1][1], i2, merged[-1][3], j2]
        else:
            merged.append([op, i1, i2, j1, j2])
    return [tuple(m) for m in merged]


def _space_last(opcodes, a: list[str], b: list[str]):
    """`handled <ins>properly </ins>in`, not `handled<ins> properly</ins> in`: a word added or
    removed between two spaces is marked with the space after it."""
    out = [list(op) for op in opcodes]
    for index, (op, i1, i2, j1, j2) in enumerate(out[:-1]):
        following = out[index + 1]
        if op not in ("insert", "delete") or following[0] != "equal" or index == 0:
            continue
        seq, start, end = (b, j1, j2) if op == "insert" else (a, i1, i2)
        if seq[start].isspace() and end < len(seq) and seq[end] == seq[start]:
            out[index][1:] = [x + 1 for x in out[index][1:]]
            out[index - 1][2:] = [out[index - 1][2] + 1, out[index - 1][3], out[index - 1][4] + 1]
            following[1] += 1
            following[3] += 1
    return [tuple(op) for op in out]


def _mark(tag: str, text: str, labels: Labels) -> str:
    if not text:
        return ""
    start, end = (
        (labels.removed, labels.removed_end) if tag == "del" else (labels.added, labels.added_end)
    )
    return (
        f'<{tag}><span class="policy-sr">{escape(start)}</span>{escape(text)}'
        f'<span class="policy-sr">{escape(end)}</span></{tag}>'
    )
