"""What the editors' checks share: reading policy Markdown with line numbers, the exceptions
file, and reporting problems in plain words.

Each check script (`check_translations.py`, `check_glossary.py`, `check_links.py`,
`check_registry.py`) imports this and prints `file:line: message` lines; exit 1 on a problem.
"""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

ROOT = Path(__file__).resolve().parent.parent
# The site's own rules for a page's source (front matter, anchors, comments, footnotes) live
# beside the hooks that enforce them in the build: read them from there, never twice.
HOOKS = ROOT / "overrides" / "hooks"
sys.path.insert(0, str(HOOKS))
from consent_widget import marker, text_files  # noqa: E402
from policy_site.pages import source as page_source  # noqa: E402


def site_hooks(name: str):
    """A module of overrides/hooks/ (the build's own rules), for a check to call."""
    return importlib.import_module(name)


DOCS = ROOT / "docs"
SOURCE_LANG, TARGET_LANG = "ja", "en"
EXCEPTIONS_FILE = DOCS / "translation-exceptions.yml"
ANCHOR = re.compile(r"\s*\{\s*#([\w:-]+)\s*\}\s*$")
# The source's own markers at the start of a block (as overrides/hooks/policy_markdown.py).
OWN_MARKER = re.compile(r"^\s*([・○●■□◆◇※\u2460-\u2473\u3251-\u325f])")

_markdown = MarkdownIt("commonmark").enable("table").use(front_matter_plugin).use(footnote_plugin)
# Keep every link, javascript: and data: included: reporting them is the point of the checks.
_markdown.validateLink = lambda url: True


@dataclass(frozen=True)
class Block:
    """A unit of text an editor sees: heading, paragraph, list item, footnote or table row."""

    kind: str
    line: int  # 1-based line in the file
    text: str
    section: str  # anchor of the heading above it ("" at the top)
    level: int = 0  # for headings
    anchor: str | None = None  # for headings


@dataclass
class Page:
    path: Path
    name: str  # path inside its language folder, e.g. privacy.md (what exceptions name)
    text: str  # the file as read
    meta: dict
    meta_lines: dict[str, int]
    # What stops the page from building as written (page_source.py: the build's own words).
    source_problems: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    links: list[tuple[str, int, str]] = field(default_factory=list)  # (href, line, section)
    footnote_refs: list[tuple[str, int, str]] = field(default_factory=list)
    tables: list[tuple[int, int, str]] = field(default_factory=list)  # (line, rows, section)
    readable: bool = True  # False: not UTF-8 (its one source problem says so)

    @property
    def rel(self) -> str:
        return _rel(self.path)

    @property
    def address(self) -> Path:
        """Where links find it: its own path, under its page name (a file misnamed only in
        letter case is reported once, not at every link to it)."""
        folder = self.path.parents[len(PurePosixPath(self.name).parts) - 1]
        return (folder / self.name).resolve()

    def of_kind(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]

    def section_line(self, section: str) -> int:
        for block in self.blocks:
            if block.kind == "heading" and block.anchor == section:
                return block.line
        return 1


def read_page(path: Path, name: str | None = None) -> Page:
    """The page, parsed; `text_files.NotUTF8` (the editor's message) if it is not UTF-8."""
    rel = _rel(path)
    text = page_source.read(path, rel)
    tokens = _markdown.parse(text)
    matter = page_source.front_matter(text, rel)
    page = Page(
        path=path,
        name=name or path.name,
        text=text,
        meta=matter.meta,
        meta_lines=matter.lines,
        source_problems=page_source.problems(text, rel),
    )
    section = ""
    kinds: list[str] = []  # enclosing containers
    for index, token in enumerate(tokens):
        if token.type in ("list_item_open", "footnote_open", "tr_open", "heading_open"):
            kinds.append(token.type)
        elif token.type in ("list_item_close", "footnote_close", "tr_close", "heading_close"):
            kinds.pop()
        if token.type == "tr_open":
            line = token.map[0] + 1
            cells = []
            j = index + 1
            while tokens[j].type != "tr_close":
                if tokens[j].type == "inline":
                    cells.append(tokens[j].content)
                j += 1
            page.blocks.append(Block("row", line, " | ".join(cells), section))
        if token.type == "table_open":
            rows = 0
            j = index + 1
            while tokens[j].type != "table_close":
                rows += tokens[j].type == "tr_open"
                j += 1
            page.tables.append((token.map[0] + 1, rows, section))
        if token.type != "inline" or not token.map:
            continue
        line = token.map[0] + 1
        container = kinds[-1] if kinds else ""
        if container == "heading_open":
            level = int(tokens[index - 1].tag[1])
            match = ANCHOR.search(token.content)
            anchor = match[1] if match else None
            text = ANCHOR.sub("", token.content)
            section = anchor or section
            page.blocks.append(Block("heading", line, text, section, level, anchor))
        elif container == "tr_open":
            pass  # counted with its row
        elif container == "list_item_open":
            if (
                tokens[index - 1].type == "paragraph_open"
                and tokens[index - 2].type == "list_item_open"
            ):
                page.blocks.append(Block("item", line, token.content, section))
        elif container == "footnote_open":
            page.blocks.append(Block("footnote", line, token.content, section))
        else:
            page.blocks.append(Block("paragraph", line, token.content, section))
        for child in token.children or []:
            if child.type == "link_open":
                page.links.append((child.attrs["href"], line, section))
            elif child.type == "footnote_ref":
                page.footnote_refs.append((child.meta["label"], line, section))
    return page


def unreadable_page(path: Path, name: str, error: text_files.NotUTF8) -> Page:
    """A page that is not UTF-8: it exists (links to it are not broken), and its one problem is
    that it cannot be read."""
    return Page(path, name, "", {}, {}, source_problems=[str(error)], readable=False)


def plugin_settings(name: str, config: Path = ROOT / "mkdocs.yml") -> dict[str, str]:
    """The plain settings of one plugin in mkdocs.yml (its `!ENV`, `!!python` tags unread)."""
    root = yaml.compose(text_files.read(config, _rel(config)), Loader=yaml.SafeLoader)
    for key, value in root.value if isinstance(root, yaml.MappingNode) else []:
        if key.value != "plugins" or not isinstance(value, yaml.SequenceNode):
            continue
        for item in value.value:
            if isinstance(item, yaml.MappingNode) and item.value[0][0].value == name:
                settings = item.value[0][1]
                return {
                    k.value: v.value
                    for k, v in getattr(settings, "value", None) or []
                    if isinstance(v, yaml.ScalarNode)
                }
    return {}


def page_files(docs: Path = DOCS) -> page_source.Twins:
    """The page files of both language folders, paired by name (page_source.twins: the build's
    own rule and words)."""
    found = {
        lang: {p.relative_to(docs / lang).as_posix() for p in (docs / lang).rglob("*.md")}
        for lang in (SOURCE_LANG, TARGET_LANG)
    }
    return page_source.twins(found, {lang: _rel(docs / lang) for lang in found})


def page_pairs(docs: Path = DOCS) -> tuple[list[tuple[Page, Page]], list[str]]:
    """(ja, en) pages paired by name, and a message for each file without its twin, misnamed
    or not readable (each said once; its pair is left out)."""
    files = page_files(docs)
    problems = list(files.problems)
    pairs = []
    for name, names in sorted(files.pages.items()):
        try:
            ja = read_page(docs / SOURCE_LANG / names[SOURCE_LANG], name)
            en = read_page(docs / TARGET_LANG / names[TARGET_LANG], name)
        except text_files.NotUTF8 as error:
            problems.append(str(error))
            continue
        pairs.append((ja, en))
    return pairs, problems


def not_compared(pairs: list[tuple[Page, Page]], docs: Path = DOCS) -> set[str]:
    """Pages that exist but were not compared (no twin, not UTF-8, a problem in their source,
    each reported already): their exceptions are not called unused for that."""
    present = {
        p.relative_to(docs / lang).as_posix().lower()
        for lang in (SOURCE_LANG, TARGET_LANG)
        for p in (docs / lang).rglob("*.md")
    }
    compared = {ja.name for ja, en in pairs if not (ja.source_problems or en.source_problems)}
    return present - compared


def paired_blocks(ja: Page, en: Page) -> list[tuple[Block, Block]]:
    """Blocks of the two languages paired section by section, in order. Where a section has
    a different number or kind of blocks (the parity check reports that), the whole section
    is one pair."""
    en_sections = _sections(en)
    pairs: list[tuple[Block, Block]] = []
    for section, ja_blocks in _sections(ja).items():
        en_blocks = en_sections.get(section, [])
        if [b.kind for b in ja_blocks] == [b.kind for b in en_blocks]:
            pairs += zip(ja_blocks, en_blocks, strict=True)
        elif en_blocks:
            pairs.append((_merge(ja_blocks), _merge(en_blocks)))
    return pairs


def _sections(page: Page) -> dict[tuple[str, int], list[Block]]:
    """Blocks by (section anchor, times that anchor was seen before): a repeated anchor (the
    translation check reports it) starts a section of its own instead of a merge."""
    found: dict[tuple[str, int], list[Block]] = {}
    key = ("", 0)
    for block in page.blocks:
        if block.kind == "heading" and block.anchor:
            key = (block.anchor, sum(1 for anchor, _ in found if anchor == block.anchor))
        found.setdefault(key, []).append(block)
    return found


def _merge(blocks: list[Block]) -> Block:
    first = blocks[0]
    return Block(first.kind, first.line, "\n".join(b.text for b in blocks), first.section)


def _rel(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


# --- internal links ----------------------------------------------------------------


def anchors(page: Page) -> set[str]:
    found = {b.anchor for b in page.of_kind("heading") if b.anchor}
    # Footnote ids exist too (fn:1, fnref:1), and the vendor table's id where its marker stands.
    labels = {label for label, _, _ in page.footnote_refs}
    found |= {f"fn:{label}" for label in labels} | {f"fnref:{label}" for label in labels}
    if marker.has_marker(page.text):
        found.add(marker.TABLE_ID)
    return found


def internal_link_problems(page: Page, href: str, where: str, pages: dict[Path, Page]) -> list[str]:
    """Why an internal link leads nowhere (one message), or nothing."""
    path_part, _, anchor = href.partition("#")
    if path_part.startswith("/"):
        return [
            f"{where}: {href} starts with /: link to the .md file relative to this page instead"
        ]
    if path_part:
        target = pages.get((page.path.parent / PurePosixPath(path_part)).resolve())
        if target is None:
            return [f"{where}: {href} points at {path_part}, which does not exist"]
    else:
        target = page
    if target.source_problems:
        return []  # its anchors cannot be told until its own problem (reported) is fixed
    if anchor and anchor not in anchors(target):
        return [f"{where}: {href}: there is no #{anchor} in {target.rel}"]
    return []


# --- exceptions --------------------------------------------------------------------


@dataclass(frozen=True)
class Exception_:
    page: str
    check: str
    detail: str | None
    reason: str


class Exceptions:
    """Deliberate differences (docs/translation-exceptions.yml), each with its reason."""

    CHECKS = (
        "date",
        "anchors",
        "headings",
        "list-items",
        "footnotes",
        "tables",
        "links",
        "https",
        "markers",
        "glossary",
        "added-term",
        "stale",
    )

    def __init__(self, path: Path = EXCEPTIONS_FILE):
        self.path = path
        self.entries: list[Exception_] = []
        self.problems: list[str] = []
        self.used: set[int] = set()
        if path.exists():
            self._load()

    def _load(self) -> None:
        rel = _rel(self.path)
        try:
            data = yaml.safe_load(text_files.read(self.path, rel)) or []
        except text_files.NotUTF8 as error:
            self.problems.append(str(error))
            return
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            self.problems.append(f"{rel}:{mark.line + 1 if mark else 1}: not valid YAML")
            return
        if not isinstance(data, list):
            self.problems.append(f"{rel}: must be a list of entries (- page: …)")
            return
        for number, item in enumerate(data, 1):
            where = f"{rel}: entry {number}"
            if not isinstance(item, dict):
                self.problems.append(f"{where}: must have page, check and reason")
                continue
            unknown = set(item) - {"page", "check", "detail", "reason"}
            if unknown:
                self.problems.append(f"{where}: unknown key {', '.join(sorted(unknown))}")
            if not str(item.get("reason") or "").strip():
                self.problems.append(f"{where}: give the reason for this difference (reason: …)")
            if item.get("check") not in self.CHECKS:
                self.problems.append(
                    f"{where}: check must be one of {', '.join(self.CHECKS)} (found {item.get('check')!r})"
                )
            if not item.get("page"):
                self.problems.append(f"{where}: say which page (page: privacy.md)")
            self.entries.append(
                Exception_(
                    str(item.get("page")),
                    str(item.get("check")),
                    None if item.get("detail") is None else str(item["detail"]),
                    str(item.get("reason") or ""),
                )
            )

    def allows(self, page: str, check: str, detail: str | None = None) -> bool:
        for index, entry in enumerate(self.entries):
            if entry.page == page and entry.check == check and entry.detail in (None, detail):
                self.used.add(index)
                return True
        return False

    def unused(self, checks: set[str], unchecked: set[str] = frozenset()) -> list[str]:
        """Entries for these checks that matched nothing: the difference they excused is gone.

        Pages in `unchecked` were not compared (their source has a problem of its own, reported
        already): their entries are not called unused for that."""
        return [
            f"{_rel(self.path)}: entry {index + 1} ({entry.page}, {entry.check}) excuses nothing any more: remove it"
            for index, entry in enumerate(self.entries)
            if entry.check in checks and index not in self.used and entry.page not in unchecked
        ]


# --- reporting ---------------------------------------------------------------------


def finish(name: str, problems: list[str], notes: list[str] | None = None) -> int:
    for problem in problems:
        print(problem)
    for note in notes or []:
        print(f"note: {note}")
    if problems:
        count = len(problems)
        print(f"{name}: {count} problem{'s' if count > 1 else ''}", file=sys.stderr)
        return 1
    print(f"{name}: OK")
    return 0
