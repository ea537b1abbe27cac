"""The published versions of the policy (not a hook itself): `policy-versions/versions.yml`.

Read here once, for the site hook (`policy_versions.py`), the release command
(`scripts/release.py`) and the editors' check (`scripts/check_versions.py`).

    policy-versions/
      versions.yml                      dates, summaries, and a fingerprint of every archived file
      2026-11-26/ja/privacy.md          the page as published on that date
      2026-11-26/ja/vendors.html        the vendor table as published (from consent.yml)
      2026-11-26/en/…

A published version is never edited: its fingerprint in versions.yml says so.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policy_site.pages import source as page_source

FOLDER = "policy-versions"
INDEX = "versions.yml"
LANGUAGES = ("ja", "en")
# The vendor table stands where a page says this (consent_widget's marker).
VENDOR_MARKER = "<!-- consent:vendors -->"
VENDOR_TABLE = "vendors.html"
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


class _DatesAsText(yaml.SafeLoader):
    """Dates stay text, so an impossible one (2026-11-31) is reported with its key, not raised."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class VersionsError(Exception):
    """A problem in versions.yml or the archive, naming the file and the key."""


@dataclass(frozen=True)
class Version:
    date: datetime.date
    summary: dict[str, str]  # language → what changed
    files: dict[str, str]  # path inside the version folder → "sha256:…"
    registry: str = ""  # fingerprint of consent.yml when published
    revision: int | None = None  # consent.yml's `revision` once published (after any raise)


@dataclass
class Archive:
    root: Path  # the project folder (where mkdocs.yml is)
    pages: list[str]  # page names, e.g. privacy.md
    cookie_section: str  # anchor of the section about cookies, e.g. cookies
    versions: list[Version] = field(default_factory=list)  # oldest first

    @property
    def folder(self) -> Path:
        return self.root / FOLDER

    @property
    def index_file(self) -> Path:
        return self.folder / INDEX

    def version_dir(self, date: datetime.date) -> Path:
        return self.folder / date.isoformat()

    def page_text(self, version: Version, lang: str, page: str) -> str:
        return (self.version_dir(version.date) / lang / page).read_text(encoding="utf-8")

    def vendor_table(self, version: Version, lang: str) -> str | None:
        path = self.version_dir(version.date) / lang / VENDOR_TABLE
        return path.read_text(encoding="utf-8").strip() if path.exists() else None

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def tampered(self) -> list[str]:
        """`file: problem` for every archived file that differs from what was published."""
        problems = []
        for version in self.versions:
            folder = self.version_dir(version.date)
            for name, recorded in version.files.items():
                path = folder / name
                if not path.exists():
                    problems.append(f"{self.rel(path)}: missing (published on {version.date})")
                elif fingerprint(path.read_bytes()) != recorded:
                    problems.append(
                        f"{self.rel(path)}: changed after it was published on {version.date}. "
                        f"A published version is never edited: restore it (`git checkout -- "
                        f"{self.rel(path)}`) and publish the change as a new version "
                        f"(`make release DATE=YYYY-MM-DD`)."
                    )
            if folder.is_dir():
                for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                    if path.relative_to(folder).as_posix() not in version.files:
                        problems.append(
                            f"{self.rel(path)}: not part of the version published on "
                            f"{version.date}; remove it."
                        )
        return problems


def fingerprint(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


def body(markdown: str) -> str:
    """A page's Markdown without its front matter."""
    return FRONT_MATTER.sub("", markdown, count=1)


def front_matter(markdown: str, rel: str = "") -> dict:
    """What the page's front matter says, as far as it can be read: its problems are the page
    rules' to report (page_source.py, the one reader of front matter)."""
    return page_source.front_matter(markdown, rel).meta


def load(root: Path) -> Archive:
    """The archive of the project at `root`; VersionsError names the file and key at fault."""
    path = root / FOLDER / INDEX
    where = f"{FOLDER}/{INDEX}"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsText)
    except FileNotFoundError:
        raise VersionsError(f"{where}: file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise VersionsError(f"{where}{line}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise VersionsError(f"{where}: must be a mapping with 'pages' and 'versions'")
    pages = data.get("pages")
    if not (isinstance(pages, list) and pages and all(isinstance(p, str) for p in pages)):
        raise VersionsError(f"{where}: 'pages' must list page names, e.g. [privacy.md]")
    section = data.get("cookie_section")
    if not isinstance(section, str) or not section:
        raise VersionsError(f"{where}: 'cookie_section' must name an anchor, e.g. cookies")
    raw_versions = data.get("versions")
    if not isinstance(raw_versions, list) or not raw_versions:
        raise VersionsError(f"{where}: 'versions' must list at least one published version")
    versions = [_version(item, f"{where}: versions[{i}]") for i, item in enumerate(raw_versions)]
    dates = [v.date for v in versions]
    if dates != sorted(set(dates)):
        raise VersionsError(f"{where}: 'versions' must be in date order, each date once")
    return Archive(root=root, pages=pages, cookie_section=section, versions=versions)


def _version(item, where: str) -> Version:
    if not isinstance(item, dict):
        raise VersionsError(f"{where}: must have 'date', 'summary' and 'files'")
    try:
        date = datetime.date.fromisoformat(str(item.get("date")))
    except ValueError:
        found = item.get("date")
        raise VersionsError(
            f"{where}.date: must be a date like 2026-11-26 (found {found!r})"
        ) from None
    summary = item.get("summary")
    for lang in LANGUAGES:
        text = summary.get(lang) if isinstance(summary, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise VersionsError(f"{where}.summary.{lang}: missing or empty")
    files = item.get("files")
    if not isinstance(files, dict) or not files:
        raise VersionsError(f"{where}.files: must map each archived file to its fingerprint")
    return Version(
        date=date,
        summary={lang: summary[lang].strip() for lang in LANGUAGES},
        files={str(k): str(v) for k, v in files.items()},
        registry=str(item.get("registry") or ""),
        revision=item.get("revision") if isinstance(item.get("revision"), int) else None,
    )


def dump(archive: Archive) -> str:
    """versions.yml as the release command writes it (comments first, then the data)."""
    data = {
        "pages": archive.pages,
        "cookie_section": archive.cookie_section,
        "versions": [
            {
                "date": v.date,
                "summary": dict(v.summary),
                "files": dict(v.files),
                **({"registry": v.registry} if v.registry else {}),
                **({"revision": v.revision} if v.revision is not None else {}),
            }
            for v in archive.versions
        ],
    }
    header = (
        "# The published versions of the policy, oldest first. Written by `make release`:\n"
        "# do not edit a published version (its files' fingerprints are checked).\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
