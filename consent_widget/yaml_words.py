"""PyYAML's syntax errors in plain words, with the usual fix.

Shared by the registry (`consent.yml`) and the pages' front matter (overrides/hooks/
page_source.py): an editor reads the same explanation for the same slip in either file.
"""

from __future__ import annotations

import yaml


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
