"""What a page's Markdown source must be, read in one place (not a hook itself).

Read as UTF-8 (a BOM accepted, as MkDocs accepts it); front matter YAML with half-width syntax;
heading anchors in half-width characters, each once; footnotes with their notes; comments
closed; no code (`<script>`, `<iframe>`, `<object>`, `<embed>`, `on…=`, `javascript:`: a
vendor's tag belongs in consent.yml); and every page in every language folder under the same
name, lower-case where two differ only in letter case (`twins`).

The build (hook `page_rules.py`) and the editors' checks (`scripts/checklib.py`) both call
`problems()`, so `make check` and `make build` name the same cause in the same words, each
as `file:line: what is wrong: the fix`. It lives beside the hooks because what a page must be
is the site's rule; the checks put this folder on their import path.
"""

from __future__ import annotations

import datetime
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from html import unescape
from itertools import pairwise
from pathlib import Path

import yaml
from babel import Locale

from consent_widget import text_files, yaml_words

REQUIRED_KEYS = ("title", "description", "last_updated")
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING_ANCHOR = re.compile(r"^#{1,6}\s.*\{\s*#([\w:-]+)\s*\}\s*$")
FOOTNOTE_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:")
FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
INLINE_CODE = re.compile(r"`[^`]*`")
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
# A line that starts a block of its own (not the continuation of a paragraph).
BLOCK_START = re.compile(r"^\s*(#|[-*+]\s|\d+[.)]\s|>|\||<|\[\^|---|\*\*\*|```|~~~|!!!|\{)")
# A heading's trailing attribute list `{ #id }`, written with any full-width character in it.
HEADING_ATTRIBUTES = re.compile(
    r"^#{1,6}\s.*?(?P<attrs>[{｛][ \u3000]*[#＃][^{}｛｝]*[}｝])[ \u3000]*$"
)
FULL_WIDTH_SYNTAX = re.compile(r"[\u3000\uff01-\uff5e]")

# Markup that runs code or loads another site. Pages are text: the site's own scripts come from
# its templates, and a vendor's tag from consent.yml (gated by consent, its hosts in the CSP).
ACTIVE_ELEMENT = re.compile(r"<(script|iframe|object|embed)\b", re.I)
HTML_TAG = re.compile(
    r"<(?P<name>[A-Za-z][\w:-]*)(?P<attrs>(?:\s+[^\s\"'<>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*)\s*/?>"
)
ATTRIBUTE = re.compile(r"([^\s\"'<>/=]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?")
MARKDOWN_LINK_TARGET = re.compile(r"\]\(\s*<?(?P<url>[^)>\s]*)")
REFERENCE_DEFINITION = re.compile(r"^[ ]{0,3}\[[^\]]+\]:\s*<?(?P<url>[^>\s]+)", re.M)
ATTRIBUTE_LIST = re.compile(r"\{:?(?P<attrs>[^{}\n]*=[^{}\n]*)\}")
CODE_URL = re.compile(r"^(javascript|vbscript):", re.I)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
TAG_HOME = (
    "a vendor's tag belongs in consent.yml, as `tag:` of its vendor (CONTRIBUTING.md, Adding a tag)"
)
WHY_NOT = {
    "script": "its code would run on every visit, before any consent, and the site's "
    "Content-Security-Policy blocks it",
    "iframe": "it would load another site, which can set its cookies before any consent",
    "object": "it would load content from another site before any consent",
    "embed": "it would load content from another site before any consent",
}


@dataclass
class FrontMatter:
    meta: dict = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # key → line in the file
    body_line: int = 1  # first line after the closing ---
    problems: list[str] = field(default_factory=list)


def read(path: Path, rel: str) -> str:
    """A page's source as the build and the checks read it (UTF-8; a BOM is dropped, as MkDocs
    drops it); `text_files.NotUTF8` names the file and the fix otherwise."""
    return text_files.read(path, rel)


def front_matter(text: str, rel: str) -> FrontMatter:
    """The page's front matter, with each key's line, or the problems that stop reading it."""
    lines = text.removeprefix(text_files.BOM).splitlines()
    if not lines or lines[0].strip() != "---":
        return FrontMatter(problems=[f"{rel}:1: {_missing_front_matter()}"])
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return FrontMatter(
            problems=[f"{rel}:1: the front matter is not closed: add a line --- after it"]
        )
    block = "\n".join(lines[1:end])
    found = FrontMatter(body_line=end + 2)
    # A full-width ： or space where YAML needs its own: said as such (YAML would blame a later
    # line, and its fix would not help).
    full_width = yaml_words.full_width(lines[1:end], offset=1)
    if full_width:
        found.problems += [f"{rel}:{line}: front matter: {words}" for line, words in full_width]
        return found
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
    found += _full_width_anchors(body, rel)
    found += _duplicate_anchors(body, rel)
    found += _undefined_footnotes(body, rel)
    head = list(
        enumerate(text.removeprefix(text_files.BOM).splitlines()[: matter.body_line - 1], 1)
    )
    found += active_markup(head + body, rel)
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
    lines = text.removeprefix(text_files.BOM).splitlines()
    for number, line in enumerate(lines[first - 1 :], first):
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


def _full_width_anchors(body: list[tuple[int, str]], rel: str) -> list[str]:
    """`{ ＃cookies }`: Markdown sees no anchor, and every check after it sees the wrong
    sections. Named with the character and the half-width form to write."""
    found = []
    for number, line in body:
        match = HEADING_ATTRIBUTES.match(line)
        if not match or not FULL_WIDTH_SYNTAX.search(match["attrs"]):
            continue
        written = match["attrs"]
        characters = sorted(set(FULL_WIDTH_SYNTAX.findall(written)), key=written.index)
        named = ", ".join("a full-width space (U+3000)" if c == "\u3000" else c for c in characters)
        found.append(
            f"{rel}:{number}: the heading's anchor {written} is written with full-width "
            f"characters ({named}): write it in half-width ones: "
            f"{yaml_words.half_width(written)}"
        )
    return found


def active_markup(lines: list[tuple[int, str]], rel: str) -> list[str]:
    """`<script>`, `<iframe>`, `<object>`, `<embed>`, `on…=` event attributes and `javascript:`
    addresses anywhere in a page (front matter too: templates print some of it as HTML), each
    as `file:line: what: the fix`. A gated placeholder without code (`<script type="text/plain"
    data-consent="…" data-src="…"></script>`, CONTRIBUTING.md) runs only with consent, from a
    file the CSP governs: it is allowed."""
    text = "\n".join(line for _, line in lines)
    text = HTML_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), text)  # comments show nothing
    starts = [0]
    for line in text.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    numbers = [number for number, _ in lines]

    def line_at(offset: int) -> int:
        return numbers[bisect_right(starts, offset) - 1] if numbers else 1

    found: list[tuple[int, str]] = []
    for match in ACTIVE_ELEMENT.finditer(text):
        name = match[1].lower()
        line = line_at(match.start())
        if name == "script" and (verdict := _gated_placeholder(text, match.start())) is not None:
            if verdict:
                found.append((line, verdict))
            continue
        found.append(
            (line, f"<{name}> is not allowed in a page ({WHY_NOT[name]}): remove it; {TAG_HOME}")
        )
    for tag in HTML_TAG.finditer(text):
        found += [(line_at(tag.start()), words) for words in _attribute_problems(tag["attrs"])]
    for attrs in ATTRIBUTE_LIST.finditer(text):
        found += [(line_at(attrs.start()), words) for words in _attribute_problems(attrs["attrs"])]
    for pattern in (MARKDOWN_LINK_TARGET, REFERENCE_DEFINITION):
        for link in pattern.finditer(text):
            if words := _code_url(link["url"]):
                found.append((line_at(link.start()), words))
    seen, messages = set(), []
    for line, words in sorted(found, key=lambda item: item[0]):
        if (line, words) not in seen:
            seen.add((line, words))
            messages.append(f"{rel}:{line}: {words}")
    return messages


def _gated_placeholder(text: str, start: int) -> str | None:
    """None: not a gated script; "": a gated placeholder as it should be; else what is wrong."""
    tag = HTML_TAG.match(text, start)
    if not tag:
        return None
    attrs = {
        name.lower(): (value or "").strip("\"'") for name, value in ATTRIBUTE.findall(tag["attrs"])
    }
    if attrs.get("type", "").lower() != "text/plain" or "data-consent" not in attrs:
        return None
    close = re.compile(r"</script\s*>", re.I).search(text, tag.end())
    if close and text[tag.end() : close.start()].strip():
        return (
            "the gated <script> has code inside, which the site's Content-Security-Policy blocks: "
            'leave it empty and name a file, data-src="/assets/….js"; ' + TAG_HOME
        )
    return ""


def _attribute_problems(attrs: str) -> list[str]:
    found = []
    for name, value in ATTRIBUTE.findall(attrs):
        if name.lower().startswith("on") and len(name) > 2:
            found.append(
                f"the attribute {name}= runs code, which a page may not: remove it; {TAG_HOME}"
            )
        elif value and (words := _code_url(value.strip("\"'"))):
            found.append(words)
    return found


def _code_url(url: str) -> str | None:
    """A `javascript:` (or `vbscript:`) address, however it is spelt (entities, tabs, case)."""
    plain = re.sub(r"[\x00-\x20]", "", unescape(url))
    scheme = CODE_URL.match(plain)
    if not scheme:
        return None
    return (
        f"a {scheme[1].lower()}: address runs code when clicked, which a page may not: link to a "
        f"page or an https:// address instead; {TAG_HOME}"
    )


# --- the page files of every language ---------------------------------------------


@dataclass(frozen=True)
class Twins:
    """The page files of every language folder, paired by name."""

    pages: dict[str, dict[str, str]]  # page name → language → the file's name in that folder
    problems: list[str]  # a page without its twin, or a twin whose name differs in case

    def name(self, lang: str, file_name: str) -> str:
        """The page a file is (its twin's name where only the letter case differs)."""
        for page, files in self.pages.items():
            if files.get(lang) == file_name:
                return page
        return file_name


def twins(found: dict[str, set[str]], folders: dict[str, str]) -> Twins:
    """Pair the page files of each language folder (`found`: language → file names in it, the
    original's language first; `folders`: how to name each folder in messages, e.g. docs/ja).

    A page needs a file of the same name in every folder. Names that differ only in letter case
    (docs/en/Privacy.md beside docs/ja/privacy.md) are one page with one problem: the file
    names are lower-case, so the other file is renamed (nothing else is said about it)."""
    languages = list(found)
    original = languages[0]
    by_key: dict[str, dict[str, str]] = {}
    for lang in languages:
        for name in sorted(found[lang]):
            by_key.setdefault(name.lower(), {}).setdefault(lang, name)
    pages: dict[str, dict[str, str]] = {}
    problems = []
    for files in by_key.values():
        lower = next((n for n in files.values() if n == n.lower()), None)
        page = lower or files.get(original) or next(iter(files.values()))
        if len(files) == len(languages):
            pages[page] = files
        for lang, name in files.items():
            if name == page:
                continue
            other = next(lang_ for lang_, n in files.items() if n == page)
            role = "original" if other == original else "translation"
            problems.append(
                f"{folders[lang]}/{name}: file names are lower-case; the "
                f"{_language(other)} {role} is {folders[other]}/{page}: rename this file to "
                f"{folders[lang]}/{page} (git mv {folders[lang]}/{name} {folders[lang]}/{page})"
            )
        for lang in languages:
            if lang in files:
                continue
            if lang == original:
                first = next(iter(files))
                problems.append(
                    f"{folders[first]}/{files[first]}: has no {_language(original)} original "
                    f"{folders[original]}/{page} (remove it, or add the original)"
                )
            else:
                have = original if original in files else next(iter(files))
                problems.append(
                    f"{folders[have]}/{files[have]}: has no {_language(lang)} version: create "
                    f"{folders[lang]}/{page}"
                )
    return Twins(pages, problems)


def _language(lang: str) -> str:
    return Locale.parse(lang).get_display_name("en") or lang
