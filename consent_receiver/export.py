"""The auditor's export: stored receipts as CSV (one column per category) or JSON Lines.

Pure writers over the rows `Store.rows()` yields, oldest first.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from .store import EXPORT_COLUMNS

FORMATS = ("csv", "jsonl")
FREE_TEXT = {"user_agent"}  # the only field the sender writes freely


def write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """One receipt per line, with every field the receiver holds; how many."""
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def write_csv(rows: Callable[[], Iterator[dict[str, Any]]], out: TextIO) -> int:
    """A table a spreadsheet opens: the receipt's fields, then `decision:<category>` for each
    category found in the export (true / false; empty where a receipt's registry had no such
    category). Two passes over `rows()`: the first finds the categories."""
    categories = sorted({category for row in rows() for category in row["decisions"]})
    header = [c for c in EXPORT_COLUMNS if c != "decisions"] + [
        f"decision:{category}" for category in categories
    ]
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows():
        decisions = row["decisions"]
        writer.writerow(
            [_cell(row[c], free_text=c in FREE_TEXT) for c in EXPORT_COLUMNS if c != "decisions"]
            + [_cell(decisions.get(category)) for category in categories]
        )
        count += 1
    return count


def _cell(value: Any, free_text: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # Free text starting with = + - @ would be a formula in a spreadsheet (CSV injection).
    # Every other field has a fixed form (an id may start with '-' and stays as it is).
    if free_text and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
