"""What a page's Markdown source must be, read in one place (not a hook itself).

The build (hook `page_rules.py`) and the editors' checks (`scripts/checklib.py`) both call
`problems()`, so `make check` and `make build` name the same cause in the same words, each
as `file:line: what is wrong: the fix`. It lives beside the hooks because what a page must be
is the site's rule; the checks put this folder on their import path.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from itertools import pairwise

import yaml

from consent_widget import yaml_words

REQUIRED_KEYS = ("title", "description", "last_updated")
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING_ANCHOR = re.compile(r"^#{1,6}\s.*\{\s*#([\w:-]+)\s*\}\s*$")
FOOTNOTE_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:")
FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
INLINE_CODE = re.compile(r"`[^`]*`")
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
# A line that starts a block of its own (not the continuation of a paragraph).
BLOCK_START = re.compile(r"^\s*(#|[-*+]\s|\d+[.)]\s|>|\||<|\[\^|---|\*\*\*|```|~~~|!!!|\{)")


@dataclass
class FrontMatter:
    meta: dict = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # key → line in the file
    body_line: int = 1  # first line after the closing ---
    problems: list[str] = field(default_factory=list)


def front_matter(text: str, rel: str) -> FrontMatter:
    """The page's front matter, with each key's line, or the problems that stop reading it."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return FrontMatter(problems=[f"{rel}:1: {_missing_front_matter()}"])
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return FrontMatter(
            problems=[f"{rel}:1: the front matter is not closed: add a line --- after it"]
        )
    block = "\n".join(lines[1:end])
    found = FrontMatter(body_line=end + 2)
    try:
        root = yaml.compose(block, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        line, words = yaml_words.explain(error, lines[1:end], offset=1)  # after the opening ---
        found.problems.append(f"{rel}:{line or 1}: front matter: {words}")
        return found
    if not isinstance(root, yaml.MappingNode):
        found.problems.append(f"{rel}:2: {_missing_front_matter()}")
        return found
    for key_node, value_node in root.value:
        key, line = key_node.value, key_node.start_mark.line + 2
        found.lines[key] = line
        try:
            found.meta[key] = yaml.SafeLoader("").construct_document(value_node)
        except ValueError:
            # PyYAML reads 2027-13-01 as a date and fails: a day that does not exist.
            found.problems.append(f"{rel}:{line}: {key}: {_not_a_day(value_node.value)}")
            found.meta[key] = value_node.value
        except yaml.YAMLError as error:
            problem = getattr(error, "problem", None) or "not plain text"
            found.problems.append(
                f"{rel}:{line}: front matter: the value of '{key}' cannot be read ({problem}): "
                f"write it as plain text"
            )
    return found


def _not_a_day(value: str) -> str:
    return f"{value} is not a real date: write a day that exists as YYYY-MM-DD, e.g. 2026-11-26"


def _missing_front_matter() -> str:
    return (
        "the page has no front matter: start it with a line ---, then title:, description: "
        "and last_updated: lines, then ---"
    )


def problems(text: str, rel: str) -> list[str]:
    """Everything that stops the page from being built as written, in reading order."""
    matter = front_matter(text, rel)
    found = list(matter.problems)
    if not matter.problems:
        found += _required_keys(matter, rel)
    body = _body_lines(text, matter.body_line)
    found += _unclosed_comments(body, rel)
    found += _duplicate_anchors(body, rel)
    found += _undefined_footnotes(body, rel)
    return found


def style_problems(text: str, rel: str) -> list[str]:
    """What builds but reads wrongly: a Japanese paragraph broken over two lines."""
    found = []
    body = _body_lines(text, front_matter(text, rel).body_line)
    for (number, line), (_, following) in pairwise(body):
        if (
            line.strip()
            and following.strip()
            and not BLOCK_START.match(line)
            and not BLOCK_START.match(following)
            and JAPANESE.search(line.rstrip()[-1:])
            and JAPANESE.match(following.lstrip())
        ):
            found.append(
                f"{rel}:{number}: this Japanese paragraph goes on at line {number + 1}: join the "
                f"two lines (a line break inside a Japanese paragraph shows as a space)"
            )
    return found


def _required_keys(matter: FrontMatter, rel: str) -> list[str]:
    found = []
    for key in REQUIRED_KEYS:
        value = matter.meta.get(key)
        line = matter.lines.get(key, 1)
        if key not in matter.meta:
            found.append(f"{rel}:1: the front matter has no {key}: add a line `{key}: …`")
        elif value is None or not str(value).strip():
            found.append(f"{rel}:{line}: {key} is empty: fill it in")
        elif key == "last_updated" and not isinstance(value, datetime.date):
            try:
                datetime.date.fromisoformat(str(value))  # a quoted date is a date too
            except ValueError:
                found.append(f"{rel}:{line}: last_updated: {_not_a_day(str(value))}")
    return found


def _body_lines(text: str, first: int) -> list[tuple[int, str]]:
    """(line number, text) of the page after its front matter, code blocks and inline code
    blanked out: what they contain is shown as written, never read as Markdown."""
    out, fence = [], None
    for number, line in enumerate(text.splitlines()[first - 1 :], first):
        match = FENCE.match(line)
        if fence:
            if match and match[1][0] == fence[0] and len(match[1]) >= len(fence):
                fence = None
            out.append((number, ""))
        elif match:
            fence = match[1]
            out.append((number, ""))
        else:
            out.append((number, INLINE_CODE.sub("``", line)))
    return out


def _unclosed_comments(body: list[tuple[int, str]], rel: str) -> list[str]:
    """A `<!--` without its `-->` hides everything up to the next `-->`, whatever it is."""
    found = []
    opened: tuple[int, str] | None = None
    for number, line in body:
        position = 0
        while True:
            if opened is None:
                start = line.find("<!--", position)
                if start < 0:
                    break
                opened, position = (number, line[start : start + 40]), start + 4
            else:
                close, again = line.find("-->", position), line.find("<!--", position)
                if again >= 0 and (close < 0 or again < close):
                    found.append(
                        _unclosed(rel, opened, f"before the next comment at line {number}")
                    )
                    opened = None
                    continue  # the new one is read from the same place
                if close < 0:
                    break
                opened, position = None, close + 3
    if opened:
        found.append(_unclosed(rel, opened, "before the end of the page"))
    return found


def _unclosed(rel: str, opened: tuple[int, str], where: str) -> str:
    number, start = opened
    return (
        f"{rel}:{number}: the comment `{start.strip()}…` is not closed {where}, so it would "
        f"hide the rest of the page: end it with -->"
    )


def _duplicate_anchors(body: list[tuple[int, str]], rel: str) -> list[str]:
    found, first = [], {}
    for number, line in body:
        match = HEADING_ANCHOR.match(line)
        if not match:
            continue
        anchor = match[1]
        if anchor in first:
            found.append(
                f"{rel}:{number}: anchor #{anchor} is already used by the heading at line "
                f"{first[anchor]}: give this heading its own anchor (the same in both languages)"
            )
        first.setdefault(anchor, number)
    return found


def _undefined_footnotes(body: list[tuple[int, str]], rel: str) -> list[str]:
    defined = {m[1] for _, line in body if (m := FOOTNOTE_DEFINITION.match(line))}
    found, seen = [], set()
    for number, line in body:
        for match in FOOTNOTE_REFERENCE.finditer(line):
            label = match[1]
            if label not in defined and label not in seen:
                seen.add(label)
                found.append(
                    f"{rel}:{number}: footnote [^{label}] has no note: add a line "
                    f"`[^{label}]: ※ …` at the end of the page, or remove the reference"
                )
    return found
