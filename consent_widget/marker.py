"""The vendor-table marker in a page's Markdown: found, missing, or nearly right.

One place for it: the MkDocs plugin renders the table where the marker stands and fails the
build on the problems below; the editors' checks (scripts/) report the same problems in the
same words.
"""

from __future__ import annotations

import re

# Where a policy page wants the vendor table. An HTML comment, so without the plugin it shows nothing.
TABLE_MARKER = "<!-- consent:vendors -->"
TABLE_ID = "consent-vendors"  # the table's anchor (render.disclosure_table)
# A comment, from its last `<!--` (an unclosed one before it is the page rules' to report).
_COMMENT = re.compile(r"<!--((?:(?!<!--).)*?)-->", re.S)
# A comment meant as the marker: mentions consent and vendor, whatever the spacing or case.
_MEANT = re.compile(r"consent\W*vendor", re.I)


def has_marker(text: str) -> bool:
    return TABLE_MARKER in text


def problems(text: str, rel: str, required: bool = False, anchor: str = "") -> list[str]:
    """A marker that is not exactly the marker (it would show nothing), and, on the page that
    must carry the table (`required`), no marker at all (pointing at its section's heading)."""
    found = []
    for comment in _COMMENT.finditer(text):
        if comment[0] != TABLE_MARKER and _MEANT.search(comment[1]):
            line = text.count("\n", 0, comment.start()) + 1
            found.append(
                f"{rel}:{line}: `{comment[0]}` is not the vendor-table marker, so no table "
                f"would be shown: write exactly {TABLE_MARKER}"
            )
    if required and not has_marker(text) and not found:
        heading = (
            re.search(rf"(?m)^#+ .*\{{\s*#{re.escape(anchor)}\s*\}}\s*$", text) if anchor else None
        )
        line = text.count("\n", 0, heading.start()) + 1 if heading else 1
        section = f" in section #{anchor}" if heading else ""
        found.append(
            f"{rel}:{line}: the vendor table is missing: add a line {TABLE_MARKER}{section} "
            f"(this page is the consent plugin's policy_page in mkdocs.yml; the law requires the table)"
        )
    return found


def swallowed(text: str) -> int | None:
    """Line of a `<!--` left open before the marker, which would hide the table and the rest
    of the page with it; else None."""
    at = text.find(TABLE_MARKER)
    opened = text.rfind("<!--", 0, at) if at >= 0 else -1
    if opened < 0 or opened < text.rfind("-->", 0, at):
        return None
    return text.count("\n", 0, opened) + 1


def render(html: str, table: str) -> tuple[str, int]:
    """The page's HTML with the table where the marker stands, and how many tables it got."""
    return html.replace(TABLE_MARKER, table), html.count(TABLE_MARKER)
