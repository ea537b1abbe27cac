"""Reading a text file an editor saved: UTF-8, or one plain message that says what to do.

Japanese Windows editors often save in Shift_JIS (CP932), Notepad may add a byte-order mark
(BOM) and Windows line endings (CRLF). One reader for the pages (overrides/hooks/page_source.py
and the build), the registry (registry.py) and the editors' checks (scripts/), so that the
checks and the build read every file alike:

* UTF-8 is read; a leading BOM is dropped, as MkDocs drops it (so a BOM is accepted everywhere);
* anything else raises `NotUTF8`, whose text is the one message `file:line: … save it as UTF-8`
  (naming Shift_JIS / CP932 where the bytes read as that);
* CRLF is read as LF, as Python's text mode and MkDocs read it; `has_crlf()` lets the checks
  note it.
"""

from __future__ import annotations

from pathlib import Path

BOM = "\ufeff"
HOW_TO_SAVE = (
    "save it as UTF-8 (VS Code: click the encoding in the status bar, Save with Encoding, UTF-8; "
    "Notepad: Save As, Encoding: UTF-8)"
)


class NotUTF8(ValueError):
    """A file that is not UTF-8; str() is the editor's message (file:line: what: the fix)."""

    def __init__(self, rel: str, line: int, words: str):
        self.rel, self.line, self.words = rel, line, words
        super().__init__(f"{rel}:{line}: {words}")


def decode(data: bytes, rel: str) -> str:
    """The text of a file's bytes; `rel` names the file in the message."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise NotUTF8(rel, line, _words(data)) from None
    # As Python's text mode and MkDocs read it: the BOM dropped, line endings as "\n".
    return text.removeprefix(BOM).replace("\r\n", "\n").replace("\r", "\n")


def read(path: Path, rel: str | None = None) -> str:
    return decode(Path(path).read_bytes(), rel or Path(path).as_posix())


def has_crlf(data: bytes) -> bool:
    return b"\r\n" in data


def _words(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        saved = "not saved as UTF-8 but as UTF-16 (Unicode, in Notepad's words)"
    elif _reads_as_cp932(data):
        saved = "not saved as UTF-8 but as Shift_JIS (CP932), as Japanese Windows editors often do"
    else:
        saved = "not saved as UTF-8"
    return f"{saved}: {HOW_TO_SAVE}"


def _reads_as_cp932(data: bytes) -> bool:
    """Decodes as CP932 and says something in Japanese (not just bytes that happen to decode)."""
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        return False
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)
