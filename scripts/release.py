"""Publish the current policy pages, both languages, as the version in force from a date.

    make release DATE=2027-04-01 [SUMMARY_JA="…" SUMMARY_EN="…"] [RAISE_REVISION=1]
    python scripts/release.py 2027-04-01 [--summary-ja …] [--summary-en …] [--raise-revision]
      (SUMMARY_JA, SUMMARY_EN and RAISE_REVISION in the environment stand for the options)

Copies each versioned page (policy-versions/versions.yml → pages) and its vendor table into
policy-versions/<date>/<lang>/, records their fingerprints and the summaries of what changed,
and sets `last_updated` of the pages to the date. Asks for a missing summary when run in a
terminal. Says when the cookie section or consent.yml changed since the previous version, and
proposes raising `revision` (so visitors are asked again and told why).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import os
import re
import sys
from pathlib import Path

from check_translations import fingerprint as translation_fingerprint
from check_translations import record as record_translation
from checklib import DOCS, ROOT, SOURCE_LANG, TARGET_LANG

sys.path.insert(0, str(ROOT / "overrides" / "hooks"))

from consent_widget import registry as registry_module
from consent_widget import text_files
from consent_widget.render import disclosure_table
from policy_site.pages import source as page_source
from policy_site.versions import archive as policy_archive

REGISTRY = ROOT / "consent.yml"
REVISION_LINE = re.compile(r"(?m)^revision:[ \t]*(\d+)[ \t]*$")
LAST_UPDATED_LINE = re.compile(r"(?m)^last_updated:.*$")
LANGUAGE_NAMES = {"ja": "Japanese", "en": "English"}


class ReleaseError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("date", help="the day the version is in force from, e.g. 2027-04-01")
    # `make release DATE=… SUMMARY_JA=…` hands its variables over in the environment, so a
    # summary may hold any character without shell quoting.
    env = os.environ
    parser.add_argument("--summary-ja", default=env.get("SUMMARY_JA", ""), help="in Japanese")
    parser.add_argument("--summary-en", default=env.get("SUMMARY_EN", ""), help="in English")
    parser.add_argument(
        "--raise-revision",
        action="store_true",
        default=bool(env.get("RAISE_REVISION")),
        help="also raise `revision` in consent.yml by one (everyone is asked again)",
    )
    args = parser.parse_args(argv)
    try:
        release(args.date, {"ja": args.summary_ja, "en": args.summary_en}, args.raise_revision)
    except (ReleaseError, policy_archive.VersionsError) as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    return 0


def release(date_text: str, summaries: dict[str, str], raise_revision: bool = False) -> None:
    date = _date(date_text)
    archive = policy_archive.load(ROOT)
    latest = archive.versions[-1]
    if date == latest.date:
        raise ReleaseError(f"{date} is already published ({_rel(archive.version_dir(date))}/).")
    if date < latest.date:
        raise ReleaseError(
            f"{date} is before the latest version ({latest.date}): a new version must come after it."
        )
    registry = _load_registry()  # before writing anything: a bad registry changes nothing
    if not _changed_since(archive, latest, registry):
        raise ReleaseError(
            f"nothing changed since the version of {latest.date} (pages, vendor table): "
            f"there is no new version to publish."
        )
    summaries = {lang: _summary(summaries.get(lang, ""), lang) for lang in policy_archive.LANGUAGES}
    for page in archive.pages:
        _require_current_translation(page)

    reasons = [
        f"the cookie section (#{archive.cookie_section}) of {page}"
        for page in archive.pages
        if _cookie_section_changed(archive, latest, page)
    ]
    if latest.registry != policy_archive.fingerprint(REGISTRY.read_bytes()):
        reasons.append("consent.yml")
    if reasons and not raise_revision:
        raise_revision = _ask_to_raise(reasons, latest.date, registry.revision)
    revision = _raise_revision() if raise_revision else None
    registry_now = policy_archive.fingerprint(REGISTRY.read_bytes())

    for page in archive.pages:
        _set_date(page, date)
    folder = archive.version_dir(date)
    files: dict[str, str] = {}
    for lang in policy_archive.LANGUAGES:
        (folder / lang).mkdir(parents=True, exist_ok=True)
        for page in archive.pages:
            content = (DOCS / lang / page).read_bytes()
            (folder / lang / page).write_bytes(content)
            files[f"{lang}/{page}"] = policy_archive.fingerprint(content)
            if policy_archive.VENDOR_MARKER.encode() in content:
                table = (disclosure_table(registry, lang) + "\n").encode("utf-8")
                (folder / lang / policy_archive.VENDOR_TABLE).write_bytes(table)
                files[f"{lang}/{policy_archive.VENDOR_TABLE}"] = policy_archive.fingerprint(table)
    archive.versions.append(
        policy_archive.Version(
            date=date,
            summary=summaries,
            files=files,
            registry=registry_now,
            revision=revision[1] if revision else registry.revision,
        )
    )
    archive.index_file.write_text(policy_archive.dump(archive), encoding="utf-8")
    print(f"Published the version of {date}: {_rel(folder)}/ ({len(files)} files).")

    if revision:
        print(
            f"consent.yml: revision raised from {revision[0]} to {revision[1]}: visitors are asked again."
        )
    if reasons:
        print(f"Changed since {latest.date}: {', '.join(reasons)}.")
        if not revision:
            print(
                f"If the change is material (a new vendor, purpose or kind of information), "
                f"visitors must be asked again: raise `revision` in consent.yml to "
                f"{registry.revision + 1} and set `revision: {registry.revision + 1}` in this "
                f"version's entry of {_rel(archive.index_file)}, so the banner says the policy "
                f"changed on {date}. (Next time: RAISE_REVISION=1 does both.)"
            )
    print("Next: make check, then commit docs/ and policy-versions/ in one pull request.")


def _ask_to_raise(reasons: list[str], since: datetime.date, current: int) -> bool:
    """In a terminal, offer the revision rise before anything is written."""
    if not sys.stdin.isatty():
        return False
    print(f"Changed since {since}: {', '.join(reasons)}.")
    question = (
        f"Is it material (a new vendor, purpose or kind of information), so visitors are asked "
        f"again? Raise `revision` {current} → {current + 1}? [y/N] "
    )
    try:
        return input(question).strip().lower() in ("y", "yes")
    except (EOFError, KeyboardInterrupt):
        print()
        return False


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ReleaseError(
            f"DATE must be a real day written YYYY-MM-DD, like 2027-04-01 (got {text!r})."
        ) from None


def _summary(given: str, lang: str) -> str:
    text = given.strip()
    if not text and sys.stdin.isatty():
        try:
            text = input(f"What changed, in {LANGUAGE_NAMES[lang]} (one sentence): ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            text = ""
    if not text:
        option = f"SUMMARY_{lang.upper()}"
        raise ReleaseError(
            f"a summary of what changed in {LANGUAGE_NAMES[lang]} is needed: "
            f'give {option}="…" (make) or --summary-{lang} "…".'
        )
    return text


def _require_current_translation(page: str) -> None:
    """A version is published in both languages at once: the translation must be up to date."""
    en = _page_text(TARGET_LANG, page)
    recorded = policy_archive.front_matter(en).get("translation_of")
    current = translation_fingerprint(DOCS / SOURCE_LANG / page)
    if str(recorded) != current:
        raise ReleaseError(
            f"docs/{TARGET_LANG}/{page}: the English text is not recorded as the translation of "
            f"the current docs/{SOURCE_LANG}/{page}. Bring it up to date and run "
            f"`make translated PAGE={page}` first."
        )


def _set_date(page: str, date: datetime.date) -> None:
    """Both pages carry the release date; the English stays recorded as translated."""
    for lang in (SOURCE_LANG, TARGET_LANG):
        path = DOCS / lang / page
        text = _page_text(lang, page)  # written back as plain UTF-8: no BOM, LF (and archived so)
        path.write_text(
            LAST_UPDATED_LINE.sub(f"last_updated: {date}", text, count=1), encoding="utf-8"
        )
    with contextlib.redirect_stdout(io.StringIO()):  # the release reports in its own words
        record_translation(page, DOCS)


def _changed_since(archive, version, registry) -> bool:
    """The text visitors read differs from the version: a page, or its vendor table."""
    for lang in policy_archive.LANGUAGES:
        table = disclosure_table(registry, lang)
        for page in archive.pages:
            current = policy_archive.body(_page_text(lang, page))
            published = policy_archive.body(archive.page_text(version, lang, page))
            published_table = archive.vendor_table(version, lang)
            if current != published:
                return True
            if policy_archive.VENDOR_MARKER in current and published_table != table:
                return True
    return False


def _cookie_section_changed(archive, version, page: str) -> bool:
    return any(
        _section(archive.page_text(version, lang, page), archive.cookie_section)
        != _section(_page_text(lang, page), archive.cookie_section)
        for lang in policy_archive.LANGUAGES
    )


def _section(markdown: str, anchor: str) -> str:
    """The lines of the section whose heading has `{ #anchor }`, up to the next such heading."""
    lines = policy_archive.body(markdown).splitlines()
    start = next(
        (i for i, line in enumerate(lines) if re.search(rf"\{{\s*#{anchor}\s*\}}\s*$", line)), None
    )
    if start is None:
        return ""
    level = len(lines[start]) - len(lines[start].lstrip("#"))
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if lines[i].startswith("#") and len(lines[i]) - len(lines[i].lstrip("#")) <= level
        ),
        len(lines),
    )
    return "\n".join(lines[start:end]).strip()


def _load_registry():
    try:
        return registry_module.load(REGISTRY)
    except registry_module.RegistryError as error:
        raise ReleaseError(f"the consent registry has problems:\n{error}") from None


def _raise_revision() -> tuple[int, int]:
    text = REGISTRY.read_text(encoding="utf-8")
    match = REVISION_LINE.search(text)
    if not match:
        raise ReleaseError("consent.yml: no `revision: N` line found; raise it by hand.")
    old = int(match[1])
    REGISTRY.write_text(REVISION_LINE.sub(f"revision: {old + 1}", text, count=1), encoding="utf-8")
    return old, old + 1


def _page_text(lang: str, page: str) -> str:
    """A page as the checks and the build read it (page_source.py)."""
    path = DOCS / lang / page
    try:
        return page_source.read(path, _rel(path))
    except text_files.NotUTF8 as error:
        raise ReleaseError(str(error)) from None


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


if __name__ == "__main__":
    sys.exit(main())
