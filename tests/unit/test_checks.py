"""The editors' checks: broken inputs give plain messages with file:line on both sides."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import check_glossary
import check_links
import check_registry
import check_translations
import pytest
from checklib import Exceptions, page_pairs

from consent_widget import registry

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def docs(tmp_path) -> Path:
    """A copy of the real pages, to break."""
    target = tmp_path / "docs"
    for lang in ("ja", "en"):
        shutil.copytree(ROOT / "docs" / lang, target / lang)
    for name in ("glossary.yml", "translation-exceptions.yml"):
        shutil.copy(ROOT / "docs" / name, target / name)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def translation_problems(docs: Path, exceptions: Exceptions | None = None) -> list[str]:
    pairs, problems = page_pairs(docs)
    exceptions = exceptions or Exceptions(docs / "translation-exceptions.yml")
    for ja, en in pairs:
        problems += check_translations.compare(ja, en, exceptions)
    return problems


def test_real_pages_pass_every_check():
    for check in (check_translations, check_glossary, check_links, check_registry):
        assert check.main([]) == 0, check.__name__


def test_parity_is_clean_on_an_untouched_copy(docs):
    # translation_of fingerprints the file bytes, which the copy keeps.
    assert translation_problems(docs) == []


def test_missing_english_page(docs):
    (docs / "en" / "privacy.md").unlink()
    problems = translation_problems(docs)
    assert any(
        p.endswith("ja/privacy.md: has no English version: create " + str(docs / "en/privacy.md"))
        for p in problems
    ), problems


def test_missing_anchor_names_both_sides(docs):
    edit(docs / "en" / "privacy.md", "{ #cookies }", "")
    problems = translation_problems(docs)
    ja_line = _line(docs / "ja/privacy.md", "{ #cookies }")
    assert any(
        f"ja/privacy.md:{ja_line} ↔ " in p
        and "anchor #cookies ('クッキー情報等について') is missing in English" in p
        for p in problems
    ), problems
    assert any("heading 'Cookie Information, etc.' has no anchor" in p for p in problems), problems


def test_list_item_count_per_section(docs):
    edit(docs / "en" / "privacy.md", "- Loop Inc.\n", "")
    problems = translation_problems(docs)
    assert any(
        "section #joint-users has 5 list items in Japanese, 4 in English" in p for p in problems
    ), problems


def test_footnote_difference(docs):
    edit(docs / "en" / "privacy.md", "suppliers[^2]", "suppliers")
    problems = translation_problems(docs)
    assert any(
        "section #joint-users has 4 footnote references in Japanese, 3 in English" in p
        for p in problems
    )


def test_link_target_difference(docs):
    edit(docs / "en" / "privacy.md", "(#joint-use-policy)", "(#joint-users)")
    problems = translation_problems(docs)
    assert any(
        "link to #joint-use-policy (1×) is missing in the English text of #joint-use-and-outsourcing"
        in p
        for p in problems
    ), problems


def test_date_difference(docs):
    edit(docs / "en" / "privacy.md", "last_updated: 2026-11-26", "last_updated: 2026-11-27")
    problems = translation_problems(docs)
    assert any(
        "last_updated differs (2026-11-26 in Japanese, 2026-11-27 in English)" in p
        for p in problems
    )


def test_heading_level_difference(docs):
    edit(docs / "en" / "privacy.md", "### Scope of Joint Users", "## Scope of Joint Users")
    problems = translation_problems(docs)
    assert any(
        "#joint-users is a level-3 heading in Japanese but level 2 in English" in p
        for p in problems
    ), problems


def test_table_rows_difference(docs):
    for lang, row in (
        ("ja", "| 目的 | 説明 |\n|---|---|\n| a | b |\n| c | d |\n"),
        ("en", "| Purpose | Notes |\n|---|---|\n| a | b |\n"),
    ):
        edit(
            docs / lang / "privacy.md",
            "<!-- consent:vendors -->",
            "<!-- consent:vendors -->\n\n" + row,
        )
    problems = translation_problems(docs)
    assert any(
        "section #cookies has 3 table rows in Japanese, 2 in English" in p for p in problems
    ), problems


def test_stale_translation_and_record(docs, capsys):
    edit(docs / "ja" / "privacy.md", "当社は、販売活動", "当社は、営業活動")
    problems = translation_problems(docs)
    assert any(
        "en/privacy.md:5: out of date:" in p and "make translated PAGE=privacy.md" in p
        for p in problems
    ), problems
    assert check_translations.record("privacy.md", docs) == 0
    assert not [p for p in translation_problems(docs) if "out of date" in p]


def test_exception_needs_a_reason_and_excuses_a_difference(docs):
    edit(docs / "en" / "privacy.md", "last_updated: 2026-11-26", "last_updated: 2026-11-27")
    rules = docs / "exceptions.yml"
    rules.write_text("- page: privacy.md\n  check: date\n  reason: ''\n", encoding="utf-8")
    exceptions = Exceptions(rules)
    assert any("entry 1: give the reason" in p for p in exceptions.problems)
    rules.write_text(
        "- page: privacy.md\n  check: date\n  reason: Approved by legal on 2026-11-27\n",
        encoding="utf-8",
    )
    exceptions = Exceptions(rules)
    assert not exceptions.problems
    assert not [p for p in translation_problems(docs, exceptions) if "last_updated" in p]
    assert exceptions.unused({"date"}) == []


def test_unused_exception_is_reported(docs):
    rules = docs / "exceptions.yml"
    rules.write_text(
        "- page: privacy.md\n  check: anchors\n  detail: gone\n  reason: x\n", encoding="utf-8"
    )
    exceptions = Exceptions(rules)
    translation_problems(docs, exceptions)
    assert exceptions.unused({"anchors"}) == [
        f"{rules}: entry 1 (privacy.md, anchors) excuses nothing any more: remove it"
    ]


def test_glossary_term_not_used(docs):
    edit(
        docs / "en" / "privacy.md",
        "Acquisition of Personal Information",
        "Acquisition of Personal Data",
    )
    pairs, _ = page_pairs(docs)
    terms, _ = check_glossary.load_terms(docs / "glossary.yml")
    problems = []
    for ja, en in pairs:
        problems += check_glossary.compare(
            ja, en, terms, Exceptions(docs / "translation-exceptions.yml")
        )
    ja_line, en_line = (
        _line(docs / "ja/privacy.md", "{ #collection }"),
        _line(docs / "en/privacy.md", "{ #collection }"),
    )
    assert problems == [
        f"{docs}/ja/privacy.md:{ja_line} ↔ {docs}/en/privacy.md:{en_line}: 「個人情報」 should be translated as "
        '"personal information" (docs/glossary.yml)'
    ]


def test_links_http_javascript_and_broken_anchor(docs):
    edit(docs / "en" / "privacy.md", "(#joint-use-policy)", "(#no-such-section)")
    edit(docs / "en" / "index.md", "(privacy.md#cookies)", "(javascript:alert(1))")
    edit(docs / "ja" / "index.md", "(privacy.md#cookies)", "(http://example.com/)")
    pages = check_links.read_pages(docs)
    problems = []
    for page in pages.values():
        problems += check_links.check_page(page, pages, Exceptions(docs / "none.yml"))
    text = "\n".join(problems)
    assert "en/privacy.md" in text and "#no-such-section: there is no #no-such-section in" in text
    assert "javascript: links are not allowed" in text
    assert "http://example.com/ is not secure: use https://" in text
    # The verbatim http:// link of the legal text is reported too unless excepted.
    assert "enecho.meti.go.jp" in text


def test_gated_script_with_unknown_category(tmp_path):
    (tmp_path / "overrides").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "overrides" / "main.html").write_text(
        '<p>x</p>\n<script type="text/plain" data-consent="analytcs" data-src="https://x.example/a.js"></script>\n'
    )
    found = check_registry.gated_categories(tmp_path)
    assert found == [("overrides/main.html:2", "analytcs")]


def test_registry_check_exits_non_zero_on_a_bad_registry(tmp_path):
    bad = tmp_path / "consent.yml"
    bad.write_text(
        (ROOT / "consent.yml").read_text().replace("category: advertising", "category: advert", 1)
    )
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts/check_registry.py"), str(bad)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert "unknown category 'advert' (did you mean 'advertising'?)" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def _line(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_lost_source_marker_is_reported_unless_recorded(docs):
    edit(docs / "en" / "privacy.md", "2. ② For the termination", "2. For the termination")
    problems = translation_problems(docs)
    ja_line = _line(docs / "ja/privacy.md", "2. ②小売供給契約")
    en_line = _line(docs / "en/privacy.md", "2. For the termination")
    assert any(
        p.startswith(f"{docs}/ja/privacy.md:{ja_line} ↔ {docs}/en/privacy.md:{en_line}: ")
        and "the Japanese starts with the marker ② and the English does not" in p
        for p in problems
    ), problems
    rules = docs / "translation-exceptions.yml"
    with rules.open("a", encoding="utf-8") as file:
        file.write("\n- page: privacy.md\n  check: markers\n  detail: ②\n  reason: test\n")
    exceptions = Exceptions(rules)
    assert not [p for p in translation_problems(docs, exceptions) if "marker" in p]
    assert exceptions.unused({"markers"}) == []


def test_real_exceptions_excuse_the_decorative_markers_only(docs):
    # ○ and ・ are recorded as deliberately left out of the English; ① … ⑤ and ※ are not.
    assert translation_problems(docs) == []
    unexcused = [
        p for p in translation_problems(docs, Exceptions(docs / "none.yml")) if "marker" in p
    ]
    assert {p.split("marker ")[1][0] for p in unexcused} == {"○", "・"}, unexcused


def glossary_problems(docs: Path, exceptions: Exceptions | None = None) -> list[str]:
    pairs, _ = page_pairs(docs)
    terms, _ = check_glossary.load_terms(docs / "glossary.yml")
    exceptions = exceptions or Exceptions(docs / "none.yml")
    return [p for ja, en in pairs for p in check_glossary.compare(ja, en, terms, exceptions)]


def test_agreed_term_the_original_does_not_use_is_reported(docs):
    # The English heading corrects the source's 共用利用 to "Joint Use": a deliberate difference.
    ja_line = _line(docs / "ja/privacy.md", "{ #joint-use-policy }")
    en_line = _line(docs / "en/privacy.md", "{ #joint-use-policy }")
    assert glossary_problems(docs) == [
        f"{docs}/ja/privacy.md:{ja_line} ↔ {docs}/en/privacy.md:{en_line}: "
        '"joint use" stands for 「共同利用」 (docs/glossary.yml), which the Japanese does not '
        "say here: translate what it says, or record the difference"
    ]
    recorded = Exceptions(ROOT / "docs" / "translation-exceptions.yml")
    assert glossary_problems(docs, recorded) == []
    assert recorded.unused({"added-term"}) == []


def test_online_check_visits_the_vendor_pages_of_every_language(docs):
    urls = check_links.external_urls(check_links.read_pages(docs))
    shipped = registry.load(ROOT / "consent.yml")
    for vendor in shipped.vendors:
        for key in ("opt_out_url", "privacy_url"):
            for lang, url in getattr(vendor, key).items():
                assert url in urls, (vendor.id, key, lang)
    assert "consent.yml: google-ads.opt_out_url (en)" in urls.values()
