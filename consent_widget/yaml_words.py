"""PyYAML's syntax errors in plain words, with the usual fix.

Shared by the registry (`consent.yml`) and the pages' front matter (overrides/hooks/
page_source.py): an editor reads the same explanation for the same slip in either file.
"""

from __future__ import annotations

import re
import unicodedata

import yaml

FULL_WIDTH_SPACE = "\u3000"
# A key (lower-case, as every key of ours) followed by a full-width colon, or by a colon and a
# full-width space: YAML sees no key there, and reports a confusing error lines later.
_KEY_FULL_WIDTH_COLON = re.compile(
    r"^(?P<lead>[ \u3000]*(?:-[ \u3000]+)?)(?P<key>[a-z_][a-z0-9_]*)[ \u3000]*："
)
_KEY_COLON_FULL_WIDTH_SPACE = re.compile(
    r"^[ \u3000]*(?:-[ \u3000]+)?(?P<key>[a-z_][a-z0-9_]*):\u3000"
)
_FULL_WIDTH_INDENT = re.compile(r"^ *\u3000")
_FULL_WIDTH_COMMENT = re.compile(r"^[ \u3000]*＃")
# A value written as a [list] or {mapping} with a full-width bracket at either end.
_FLOW_VALUE = re.compile(r":[ ]+(?P<value>[\[［{｛].*[\]］}｝])[ ]*$")


def explain(error: yaml.YAMLError, lines: list[str], offset: int = 0) -> tuple[int | None, str]:
    """(1-based line in the file, what is wrong and how to fix it) for a YAML syntax error.

    `lines` is the YAML text's lines; `offset` the number of file lines before it.
    """
    mark = getattr(error, "problem_mark", None)
    if mark is None:
        return None, "cannot be read as YAML: write each setting as `key: value`"
    index = mark.line
    problem = getattr(error, "problem", "") or ""
    context = getattr(error, "context", "") or ""
    text = lines[index] if index < len(lines) else ""
    key, _, value = text.strip().lstrip("- ").partition(":")
    if "mapping values are not allowed" in problem:
        return index + 1 + offset, (
            f"the value of '{key.strip()}' contains a colon followed by a space, which YAML "
            f'reads as a new key: put the whole value in double quotes, like {key.strip()}: "'
            f'{value.strip()}"'
        )
    if "\\t" in problem:
        return index + 1 + offset, "a tab character: indent with spaces only"
    if "quoted scalar" in context:
        start = getattr(error, "context_mark", mark).line
        return start + 1 + offset, 'a quotation mark " is opened here and never closed: close it'
    if "flow sequence" in context or "flow mapping" in context:
        start = getattr(error, "context_mark", mark).line
        opener, closer = ("[", "]") if "sequence" in context else ("{", "}")
        return start + 1 + offset, f"the {opener} opened on this line is not closed: add {closer}"
    if "expected <block end>" in problem or "could not find expected ':'" in problem:
        # The line before the problem is usually the one indented differently.
        return index + 1 + offset, (
            "this line is not indented like the lines around it (or is not `key: value`): "
            "line it up with the other keys at its level, using spaces"
        )
    return index + 1 + offset, (
        f"cannot be read as YAML ({problem}): write each setting as `key: value` and put "
        f'values that contain ": " or " #" in double quotes'
    )


def full_width(lines: list[str], offset: int = 0) -> list[tuple[int, str]]:
    """(1-based line in the file, the character and its half-width fix) wherever YAML's syntax
    needs a half-width character and a full-width one stands: ： after a key, a full-width space
    (U+3000) after the colon or as indentation, ＃ for a comment, ［］｛｝ around a list or a
    mapping. Full-width characters inside a value are text, and stay."""
    found = []
    for index, text in enumerate(lines):
        line = index + 1 + offset
        if match := _KEY_FULL_WIDTH_COLON.match(text):
            rest = text[match.end() :].strip(" " + FULL_WIDTH_SPACE)
            found.append(
                (
                    line,
                    f"full-width colon ： after '{match['key']}': write a half-width colon and a "
                    f"space: {match['key']}: {rest}".rstrip(),
                )
            )
        elif match := _KEY_COLON_FULL_WIDTH_SPACE.match(text):
            rest = text[match.end() :].strip(" " + FULL_WIDTH_SPACE)
            found.append(
                (
                    line,
                    f"full-width space (U+3000) after '{match['key']}:': write a half-width "
                    f"space: {match['key']}: {rest}".rstrip(),
                )
            )
        if _FULL_WIDTH_INDENT.match(text):
            found.append(
                (
                    line,
                    "full-width spaces (U+3000) indent this line: indent it with half-width spaces",
                )
            )
        if _FULL_WIDTH_COMMENT.match(text):
            found.append((line, "full-width ＃ starts this comment: write a half-width #"))
        flow = _FLOW_VALUE.search(text)
        if flow and re.search("[［］｛｝]", flow["value"][0] + flow["value"][-1]):
            value = flow["value"]
            fixed = half_width(value[0]) + value[1:-1] + half_width(value[-1])
            found.append((line, f"full-width brackets in {value}: write half-width ones: {fixed}"))
    return found


def half_width(text: str) -> str:
    """Full-width ASCII (＃, ｛, Ａ, １) and the full-width space as their half-width forms."""
    return "".join(
        unicodedata.normalize("NFKC", ch)
        if ch == FULL_WIDTH_SPACE or "\uff01" <= ch <= "\uff5e"
        else ch
        for ch in text
    )
