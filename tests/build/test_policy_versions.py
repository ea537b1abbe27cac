"""Policy versions in a fixture project: release, history, comparison, feed, archive, check."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from tests.conftest import build, headers_for, parse_headers_file
from tests.versioned_project import (
    BASE_REVISION,
    EN_NEW,
    EN_OLD,
    FIRST,
    JA_NEW,
    JA_OLD,
    REVISION,
    SECOND,
    SUMMARY,
    change_one_sentence_per_language,
    copy_project,
    first_version_as_it_is_today,
    release_second_version,
    run,
)

SITE_URL = "https://example.com/policy/"
PREFIX = {"ja": "", "en": "en/"}
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("versions") / "project")
    result = release_second_version(project)
    site = project / "site"
    assert build(site, project / "mkdocs.yml", env={"SITE_URL": SITE_URL}) == 0
    return project, site, result


def soup(site, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_release_reports_the_cookie_section_change_and_raises_revision(released):
    project, _site, result = released
    assert "the cookie section (#cookies) of privacy.md" in result.stdout
    assert f"revision raised from {BASE_REVISION} to {REVISION}" in result.stdout
    assert re.search(rf"(?m)^revision: {REVISION}$", (project / "consent.yml").read_text())
    for lang in PREFIX:
        text = (project / f"docs/{lang}/privacy.md").read_text()
        assert f"last_updated: {SECOND}" in text
        archived = project / f"policy-versions/{SECOND}/{lang}/privacy.md"
        assert archived.read_text() == text
    assert run(project, "scripts/check_translations.py").returncode == 0


@pytest.mark.parametrize("lang", PREFIX)
def test_history_lists_both_versions_newest_first(released, lang):
    _project, site, _ = released
    page = soup(site, PREFIX[lang] + "history")
    items = page.select("ol.policy-history > li")
    assert [li.h2.time["datetime"] for li in items] == [SECOND, FIRST]
    assert items[0].select_one("p").get_text() == SUMMARY[lang]
    links = [a["href"] for a in items[0].select("a")]
    assert f"{SECOND}/privacy/" in links and f"{FIRST}..{SECOND}/privacy/" in links
    feed_link = page.select_one('head link[type="application/atom+xml"]')
    assert feed_link["href"] == "feed.xml"


@pytest.mark.parametrize(
    "lang,old,new", [("ja", JA_OLD, JA_NEW), ("en", EN_OLD, EN_NEW)], ids=["ja", "en"]
)
def test_comparison_marks_exactly_the_changed_sentence(released, lang, old, new):
    _project, site, _ = released
    page = soup(site, f"{PREFIX[lang]}history/{FIRST}..{SECOND}/privacy")
    changed = page.select(".policy-diff .policy-diff__changed")
    assert len(changed) == 1, [c.get_text() for c in changed]
    block = changed[0]
    marks = block.select("del, ins")
    assert {m.name for m in marks} == {"del", "ins"}
    assert len(page.select(".policy-diff del, .policy-diff ins")) == len(marks)
    for label in block.select(".policy-sr"):
        label.decompose()
    as_before, as_now = BeautifulSoup(str(block), "html.parser"), block
    for added in as_before.select("ins"):
        added.decompose()
    for removed in as_now.select("del"):
        removed.decompose()
    assert as_before.get_text() == old
    assert as_now.get_text() == new


@pytest.mark.parametrize("lang", PREFIX)
def test_feed_has_one_entry_per_version(released, lang):
    _project, site, _ = released
    feed = ET.parse(site / PREFIX[lang] / "history/feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}updated").text[:10] for e in entries] == [SECOND, FIRST]
    assert entries[0].find(f"{ATOM}summary").text == SUMMARY[lang]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == f"{SITE_URL}{PREFIX[lang]}history/{FIRST}..{SECOND}/privacy/"


@pytest.mark.parametrize("lang", PREFIX)
def test_archived_versions_are_noindex_canonical_to_the_current_page_and_unlisted(released, lang):
    _project, site, _ = released
    page = soup(site, f"{PREFIX[lang]}history/{FIRST}/privacy")
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"
    assert page.select_one('link[rel="canonical"]')["href"] == f"{SITE_URL}{PREFIX[lang]}privacy/"
    notice = page.select_one(".policy-archived")
    assert [t["datetime"] for t in notice.select("time")] == [FIRST, SECOND]
    assert (JA_OLD if lang == "ja" else EN_OLD) in page.get_text()
    sitemap = (site / "sitemap.xml").read_text()
    assert "history/2026" not in sitemap and f"{PREFIX[lang]}history/</loc>" in sitemap
    assert "history/2026" not in (site / "search/search_index.json").read_text()


@pytest.mark.parametrize("lang", PREFIX)
def test_policy_page_ends_with_its_dates_and_a_history_link(released, lang):
    _project, site, _ = released
    dates = soup(site, f"{PREFIX[lang]}privacy").select_one(".policy-dates")
    assert [t["datetime"] for t in dates.select("time")] == [FIRST, SECOND]
    text = dates.get_text(" ", strip=True)
    assert text.startswith("制定日：" if lang == "ja" else "Effective from")
    assert ("改定日：" if lang == "ja" else "last revised") in text
    assert dates.select_one("a")["href"] == "../history/"


def test_editing_an_archived_version_fails_the_check_naming_the_file(released, tmp_path):
    project, _site, _ = released
    archived = project / f"policy-versions/{FIRST}/en/privacy.md"
    original = archived.read_text()
    try:
        archived.write_text(original.replace("Liaison", "Liason", 1))
        result = run(project, "scripts/check_versions.py")
    finally:
        archived.write_text(original)
    assert result.returncode == 1
    assert f"policy-versions/{FIRST}/en/privacy.md" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert run(project, "scripts/check_versions.py").returncode == 0


@pytest.mark.parametrize(
    "args,message",
    [
        ([SECOND, "--summary-ja", "x", "--summary-en", "y"], f"{SECOND} is already published"),
        (["2027-01-01", "--summary-ja", "x", "--summary-en", "y"], "is before the latest version"),
        (["2027-02-30", "--summary-ja", "x", "--summary-en", "y"], "DATE must be a real day"),
        (
            ["2027-06-01", "--summary-ja", "x", "--summary-en", "y"],
            f"nothing changed since the version of {SECOND}",
        ),
    ],
    ids=["same-date", "earlier-date", "impossible-date", "no-change"],
)
def test_release_refuses_clearly(released, args, message):
    project, _site, _ = released
    before = (project / "policy-versions/versions.yml").read_text()
    result = run(project, "scripts/release.py", *args, input="")
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert (project / "policy-versions/versions.yml").read_text() == before


def build_errors(project) -> str:
    result = run(project, "scripts/build_site.py", "--site-dir", str(project / "broken-site"))
    assert result.returncode != 0, "the build should have failed"
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.parametrize(
    "file,old,new,message",
    [
        (
            "policy-versions/versions.yml",
            "    en: First published version.\n",
            "",
            "policy-versions/versions.yml: versions[0].summary.en: missing or empty",
        ),
        (
            "policy-versions/versions.yml",
            "- date: 2026-11-26",
            "- date: 2026-11-31",
            "policy-versions/versions.yml: versions[0].date: must be a date like 2026-11-26",
        ),
        (
            "policy-versions/labels.yml",
            "  history: Version history\n",
            "",
            "policy-versions/labels.yml: missing or empty: en.history",
        ),
    ],
    ids=["missing-summary", "impossible-date", "missing-label"],
)
def test_a_broken_versions_file_fails_the_build_naming_the_key(tmp_path, file, old, new, message):
    project = copy_project(tmp_path / "project")
    path = project / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    assert message in build_errors(project)


def test_release_without_a_summary_asks_for_it_and_changes_nothing(tmp_path):
    project = copy_project(tmp_path / "project")
    change_one_sentence_per_language(project)
    before = {p: p.read_text() for p in (project / "docs").rglob("*.md")}
    result = run(project, "scripts/release.py", SECOND, "--summary-ja", "x", input="")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        'a summary of what changed in English is needed: give SUMMARY_EN="…" (make) or '
        '--summary-en "…".' in result.stderr
    )
    assert {p: p.read_text() for p in before} == before
    assert not (project / f"policy-versions/{SECOND}").exists()


def test_release_names_a_registry_change_and_proposes_raising_revision(tmp_path):
    project = copy_project(tmp_path / "project")
    first_version_as_it_is_today(project)  # so that the registry is all that changed since
    registry = project / "consent.yml"
    registry.write_text(registry.read_text().replace("Google 広告", "Google 広告サービス", 1))
    summaries = {
        "SUMMARY_JA": "「送信先」の名称を改めました。",
        "SUMMARY_EN": 'Renamed a "recipient".',
    }
    result = run(project, "scripts/release.py", SECOND, env=summaries)
    assert result.returncode == 0, result.stderr
    assert f"Changed since {FIRST}: consent.yml." in result.stdout
    assert (
        f"raise `revision` in consent.yml to {REVISION} and set `revision: {REVISION}`"
        in result.stdout
    )
    assert re.search(rf"(?m)^revision: {BASE_REVISION}$", registry.read_text()), (
        "raised without being asked"
    )
    versions = (project / "policy-versions/versions.yml").read_text()
    assert (
        'en: Renamed a "recipient".' in versions
        and "ja: 「送信先」の名称を改めました。" in versions
    )
    table = (project / f"policy-versions/{SECOND}/ja/vendors.html").read_text()
    assert "Google 広告サービス" in table
    assert run(project, "scripts/check_versions.py").returncode == 0


def test_a_date_that_is_not_the_latest_version_fails_the_check(released):
    project, _site, _ = released
    page = project / "docs/en/privacy.md"
    original = page.read_text()
    try:
        page.write_text(original.replace(f"last_updated: {SECOND}", "last_updated: 2027-05-01"))
        result = run(project, "scripts/check_versions.py")
    finally:
        page.write_text(original)
    assert result.returncode == 1
    assert (
        f"docs/en/privacy.md:4: last_updated is 2027-05-01, but the latest published version is of {SECOND}"
        in result.stdout
    )


def widget_change(site, lang: str):
    """The `change` the built widget carries for `lang` (None: the banner claims no change)."""
    [asset] = (site / "assets").glob(f"consent.{lang}.*.js")
    found = re.search(r'"change":\[("[^"]*"),("[^"]*")\]', asset.read_text(encoding="utf-8"))
    return (json.loads(found[1]), json.loads(found[2])) if found else None


def test_the_widget_announces_the_release_that_raised_revision(released):
    _project, site, _ = released
    url, text = widget_change(site, "en")
    assert url == f"/policy/en/history/{FIRST}..{SECOND}/privacy/"
    assert text == "We revised our privacy policy on April 1, 2027: see what changed"
    assert widget_change(site, "ja")[0] == f"/policy/history/{FIRST}..{SECOND}/privacy/"


def test_a_revision_raised_without_a_release_claims_no_policy_change(tmp_path):
    project = copy_project(tmp_path / "project")
    release_second_version(project)
    registry = project / "consent.yml"
    registry.write_text(
        registry.read_text().replace(f"revision: {REVISION}", f"revision: {REVISION + 1}")
    )
    site = project / "site"
    assert build(site, project / "mkdocs.yml", env={"SITE_URL": SITE_URL}) == 0
    assert widget_change(site, "ja") is None and widget_change(site, "en") is None
    check = run(project, "scripts/check_versions.py")
    assert check.returncode == 0
    newer = f"note: consent.yml: revision {REVISION + 1} is newer than the one the version of"
    assert f"{newer} {SECOND}" in (check.stdout)


def test_releases_add_no_rules_to_headers(released, site):
    """Cloudflare Pages applies at most 100 `_headers` rules: the history's pages share one rule
    per language, whatever the number of versions, and each still gets the page cache."""
    _project, versioned, _result = released
    rules = [parse_headers_file((s / "_headers").read_text()) for s in (site.root, versioned)]
    assert len(rules[1]) == len(rules[0]), [pattern for pattern, _ in rules[1]]
    for lang in PREFIX:
        for page in (f"history/{FIRST}/privacy/", f"history/{FIRST}..{SECOND}/privacy/"):
            path = f"/policy/{PREFIX[lang]}{page}"
            assert dict(headers_for(rules[1], path)).get("Cache-Control") == (
                "public, max-age=300, must-revalidate"
            ), path


def test_no_two_header_rules_give_one_file_the_same_header(released):
    """Hosts join the values of a header two rules give one file ("max-age=300, …, immutable")."""
    _project, versioned, _result = released
    rules = parse_headers_file((versioned / "_headers").read_text())
    files = [f for f in versioned.rglob("*") if f.is_file() and f.suffix not in (".gz", ".br")]
    assert len(files) > 50
    for file in files:
        path = "/policy/" + file.relative_to(versioned).as_posix()
        names = [name for name, _ in headers_for(rules, path.removesuffix("index.html"))]
        assert len(names) == len(set(names)), (path, names)
