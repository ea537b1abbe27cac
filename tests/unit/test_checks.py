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
import yaml
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
    # A javascript: address is the page's own problem (the build's rule and words, said once).
    assert "javascript:" not in text
    home = next(page for page in pages.values() if page.rel.endswith("en/index.md"))
    assert any("a javascript: address runs code" in p for p in home.source_problems)
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
    # The advertiser wording's 訪問したユーザー are "users who visited", not the reader: recorded.
    ja_users = _line(docs / "ja/privacy.md", "を訪問したユーザー")
    en_users = _line(docs / "en/privacy.md", "of users who visited")
    assert glossary_problems(docs) == [
        f"{docs}/ja/privacy.md:{ja_users} ↔ {docs}/en/privacy.md:{en_users}: 「ユーザー」 should "
        'be translated as "you" (docs/glossary.yml)',
        f"{docs}/ja/privacy.md:{ja_line} ↔ {docs}/en/privacy.md:{en_line}: "
        '"joint use" stands for 「共同利用」 (docs/glossary.yml), which the Japanese does not '
        "say here: translate what it says, or record the difference",
    ]
    recorded = Exceptions(ROOT / "docs" / "translation-exceptions.yml")
    assert glossary_problems(docs, recorded) == []
    assert recorded.unused({"added-term", "glossary"}) == []


def test_online_check_visits_the_vendor_pages_of_every_language(docs):
    urls = check_links.external_urls(check_links.read_pages(docs))
    shipped = registry.load(ROOT / "consent.yml")
    for vendor in shipped.vendors:
        for key in ("opt_out_url", "privacy_url"):
            for lang, url in getattr(vendor, key).items():
                assert url in urls, (vendor.id, key, lang)
    assert "consent.yml: google-ads.opt_out_url (en)" in urls.values()


# --- editors' mistakes (issue 8): one message each, never a crash --------------------


def test_impossible_date_is_one_message_not_a_crash(docs):
    edit(docs / "en" / "privacy.md", "last_updated: 2026-11-26", "last_updated: 2027-13-01")
    assert translation_problems(docs) == [
        f"{docs}/en/privacy.md:4: last_updated: 2027-13-01 is not a real date: write a day that "
        "exists as YYYY-MM-DD, e.g. 2026-11-26"
    ]


def test_title_with_a_colon_is_one_message_not_a_crash(docs):
    edit(docs / "en" / "privacy.md", "title: Handling", "title: Privacy: Handling")
    problems = translation_problems(docs)
    assert problems == [
        f"{docs}/en/privacy.md:2: front matter: the value of 'title' contains a colon followed "
        "by a space, which YAML reads as a new key: put the whole value in double quotes, like "
        'title: "Privacy: Handling of Personal Information"'
    ]


def test_duplicate_anchor_is_one_message_and_no_glossary_noise(docs):
    page = docs / "en" / "privacy.md"
    edit(page, "{ #joint-users }", "{ #cookies }")
    assert translation_problems(docs) == [
        f"{page}:{_line(page, 'Scope of Joint Users')}: anchor #cookies is already used by the "
        f"heading at line {_line(page, 'Cookie Information')}: give this heading its own anchor "
        "(the same in both languages)"
    ]
    pairs, _ = page_pairs(docs)
    terms, _ = check_glossary.load_terms(docs / "glossary.yml")
    recorded = Exceptions(docs / "translation-exceptions.yml")  # deliberate differences only
    for ja, en in pairs:  # a repeated anchor is a section of its own, not merged with another
        assert check_glossary.compare(ja, en, terms, recorded) == []


def test_undefined_footnote_is_named(docs):
    page = docs / "en" / "privacy.md"
    edit(page, "suppliers[^2]", "suppliers[^nodef]")
    assert translation_problems(docs) == [
        f"{page}:{_line(page, '[^nodef]')}: footnote [^nodef] has no note: add a line "
        "`[^nodef]: ※ …` at the end of the page, or remove the reference"
    ]


def test_unclosed_comment_is_named(docs):
    page = docs / "en" / "privacy.md"
    edit(page, "<!-- consent:vendors -->", "<!-- TODO legal\n\n<!-- consent:vendors -->")
    line = _line(page, "TODO legal")
    assert translation_problems(docs) == [
        f"{page}:{line}: the comment `<!-- TODO legal…` is not closed before the next comment "
        f"at line {line + 2}, so it would hide the rest of the page: end it with -->"
    ]


def test_comments_and_code_are_not_mistaken_for_problems():
    from policy_site.pages import source as page_source

    text = (
        "---\ntitle: t\ndescription: d\nlast_updated: 2026-11-26\n---\n\n"
        "<!-- one\nline -->\n\n```\n<!-- in code [^x]\n## A { #a }\n## A { #a }\n```\n\n"
        "`<!--` and `[^y]` inline\n"
    )
    assert page_source.problems(text, "p.md") == []


def test_split_japanese_paragraph_is_named(docs):
    page = docs / "ja" / "privacy.md"
    edit(page, "当社は、販売活動を通じて得た", "当社は、販売活動を通じて得た\n")
    line = _line(page, "当社は、販売活動を通じて得た")
    assert (
        f"{page}:{line}: this Japanese paragraph goes on at line {line + 1}: join the two lines "
        "(a line break inside a Japanese paragraph shows as a space)"
    ) in translation_problems(docs)


def test_marker_near_miss_and_missing_marker():
    from consent_widget import marker

    assert marker.problems("a\n<!-- Consent:Vendors -->\n", "p.md") == [
        "p.md:2: `<!-- Consent:Vendors -->` is not the vendor-table marker, so no table would "
        "be shown: write exactly <!-- consent:vendors -->"
    ]
    assert marker.problems("# P\n\n## C { #cookies }\n", "p.md", True, "cookies") == [
        "p.md:3: the vendor table is missing: add a line <!-- consent:vendors --> in section "
        "#cookies (this page is the consent plugin's policy_page in mkdocs.yml; the law "
        "requires the table)"
    ]
    assert marker.problems("<!-- consent:vendors -->", "p.md", True, "cookies") == []


def test_approved_text_names_both_lines_and_the_changed_characters(tmp_path):
    """The message marks what changed (issue 16, item 8): it used to quote the sentence's first
    30 characters, which a change further on does not touch."""
    import check_approved_text

    page = tmp_path / "privacy.md"
    page.write_text(
        (ROOT / "docs/ja/privacy.md")
        .read_text(encoding="utf-8")
        .replace("小売電気事業者として経済産業大臣", "小売電気事業として経済産業大臣")
    )
    approved = ROOT / "tests/fixtures/seed_privacy_ja.txt"
    assert check_approved_text.problems(page, approved) == [
        f"{page}:{_line(page, '小売電気事業として')}: differs from the approved text "
        f"tests/fixtures/seed_privacy_ja.txt:{_line(approved, '登録拒否事由')}: "
        "「…に該当せず、小売電気事業[-者-]として経済産業大臣の登録…」: "
        "restore the approved wording, or, if legal approved the change, write the new wording "
        f"into tests/fixtures/seed_privacy_ja.txt at line {_line(approved, '登録拒否事由')} in "
        "the same pull request"
    ]
    assert check_approved_text.problems(ROOT / "docs/ja/privacy.md", approved) == []


def test_approved_japanese_text_lost_or_gained_a_sentence(tmp_path):
    import check_approved_text

    approved = ROOT / "tests/fixtures/seed_privacy_ja.txt"
    lost = "なお、お客様のブラウザは、プライバシー保護のため、そのウェブサイトのサーバーが送受信したクッキーのみを送信します。"
    text = (ROOT / "docs/ja/privacy.md").read_text(encoding="utf-8")
    page = tmp_path / "privacy.md"
    page.write_text(
        text.replace(lost, "").replace("異なります。", "異なります。当社が追加した文です。")
    )
    assert check_approved_text.problems(page, approved) == [
        f"{page}:{_line(page, '「すべてのクッキーを許可する」')}: lacks a sentence of the approved "
        f"text tests/fixtures/seed_privacy_ja.txt:{_line(approved, lost)}: 「[-{lost}-]」: "
        "restore it, or, if legal approved the change, remove it from "
        f"tests/fixtures/seed_privacy_ja.txt at line {_line(approved, lost)} in the same pull "
        "request",
        f"{page}:{_line(page, '当社が追加した文')}: says a sentence the approved text "
        f"tests/fixtures/seed_privacy_ja.txt does not have (near line "
        f"{_line(approved, '異なります。')}): 「{{+当社が追加した文です。+}}」: remove it, or, if "
        "legal approved the change, add it to tests/fixtures/seed_privacy_ja.txt at line "
        f"{_line(approved, '異なります。')} in the same pull request",
    ]


def _english_copy(tmp_path: Path, old: str, new: str) -> Path:
    page = tmp_path / "privacy.md"
    text = (ROOT / "docs/en/privacy.md").read_text(encoding="utf-8")
    assert old in text, old
    page.write_text(text.replace(old, new, 1), encoding="utf-8")
    return page


def test_approved_english_text_shows_the_changed_words(tmp_path):
    """The drift issue 18 found: a limiting clause made descriptive, shown word by word."""
    import check_approved_text

    approved = ROOT / "tests/fixtures/approved_privacy_en.txt"
    page = _english_copy(
        tmp_path,
        "We regard the personal information we obtain from you through",
        "We regard your personal information, which we obtain through",
    )
    line = _line(approved, "We regard")
    assert check_approved_text.problems(page, approved, "en") == [
        f"{page}:{_line(page, 'We regard')}: differs from the approved text "
        f'tests/fixtures/approved_privacy_en.txt:{line}: "We regard [-the-]{{+your+}} personal '
        'information{+, which+} we obtain [-from you -]through our sales activities as one …": '
        "restore the approved wording, or, if legal approved the change, run `make approve PAGE=privacy.md` and commit "
        "tests/fixtures/approved_privacy_en.txt in the same pull request"
    ]
    assert check_approved_text.problems(ROOT / "docs/en/privacy.md", approved, "en") == []


def test_make_approve_records_the_english_wording(tmp_path, capsys, monkeypatch):
    import check_approved_text

    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    page = docs / "en/privacy.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("may be placed", "may be shown"), encoding="utf-8"
    )
    record = tmp_path / "approved_privacy_en.txt"
    record.write_text(
        (ROOT / "tests/fixtures/approved_privacy_en.txt").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    [problem] = check_approved_text.problems(page, record, "en")
    assert "may be [-placed-]{+shown+}; in connection" in problem

    monkeypatch.setattr(check_approved_text, "en_record_path", lambda name: record)
    assert check_approved_text.approve("privacy.md", docs) == 0
    assert "(1 sentence changed)" in capsys.readouterr().out
    assert check_approved_text.problems(page, record, "en") == []
    assert check_approved_text.approve("privacy.md", docs) == 0
    assert "nothing changed" in capsys.readouterr().out
    # Only the changed words differ from the shipped record; everything else is as it was.
    shipped = (ROOT / "tests/fixtures/approved_privacy_en.txt").read_text(encoding="utf-8")
    assert record.read_text(encoding="utf-8") == shipped.replace("may be placed", "may be shown")


def test_the_english_record_is_what_make_approve_writes():
    """Nobody edited the record by hand (a hand edit would pass the check and slip past
    `make approve`): it is exactly what the command writes for the current page."""
    import check_approved_text
    from checklib import read_page

    page = read_page(ROOT / "docs/en/privacy.md")
    assert check_approved_text.record_text(page, "privacy.md") == (
        ROOT / "tests/fixtures/approved_privacy_en.txt"
    ).read_text(encoding="utf-8")


def test_untranslated_menu_title(tmp_path):
    import site_menu

    config = tmp_path / "mkdocs.yml"
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config.write_text(
        text.replace("privacy.md\n\n", "privacy.md\n  - お問い合わせ: contact.md\n\n")
    )
    docs = tmp_path / "docs"
    for lang in ("ja", "en"):
        (docs / lang).mkdir(parents=True)
        for name in ("index.md", "privacy.md", "contact.md"):
            (docs / lang / name).write_text("x")
    assert site_menu.problems(config, docs) == [
        f"{config}:{_line(config, 'お問い合わせ')}: the menu title 'お問い合わせ' (contact.md) has no "
        "English title, so the English menu would show it untranslated: add `お問い合わせ: …` under "
        f"nav_translations of 'en' ({config}:{_line(config, 'nav_translations')})"
    ]


# --- revision against main --------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path) -> Path:
    """A clone whose main has the real registry, on a branch of its own."""
    git(tmp_path, "init", "-q", "-b", "main")
    shutil.copy(ROOT / "consent.yml", tmp_path / "consent.yml")
    git(tmp_path, "add", "consent.yml")
    git(tmp_path, "commit", "-q", "-m", "main")
    git(tmp_path, "checkout", "-q", "-b", "edit")
    return tmp_path


NEW_VENDOR = """
  - id: new-tag
    category: analytics
    service: {ja: 新しいタグ, en: New tag}
    operator: {ja: Example Inc., en: Example Inc.}
    country: US
    data: {ja: 閲覧したページ, en: Pages viewed}
    purpose: {ja: 分析, en: Analysis}
    opt_out_url: https://example.com/opt-out
    privacy_url: https://example.com/privacy
"""


def test_vendor_added_without_raising_revision(repo):
    import check_revision

    registry = repo / "consent.yml"
    current = yaml.safe_load(registry.read_text())["revision"]
    registry.write_text(registry.read_text() + NEW_VENDOR)
    problems, _ = check_revision.check(repo)
    assert problems == [
        f"consent.yml:{_line(registry, 'revision:')}: vendors added: new-tag since main, but "
        f"revision is still {current}: raise it to {current + 1} (raising it asks every visitor "
        "about cookies again, on their next visit)"
    ]
    registry.write_text(
        registry.read_text().replace(f"revision: {current}", f"revision: {current + 1}")
    )
    problems, notes = check_revision.check(repo)
    assert problems == []
    assert notes == [
        f"consent.yml:{_line(registry, 'revision:')}: revision raised from {current} to "
        f"{current + 1} since main: every visitor will be asked about cookies again once this "
        "is published"
    ]


def test_revision_without_main_is_a_note(tmp_path):
    import check_revision

    shutil.copy(ROOT / "consent.yml", tmp_path / "consent.yml")  # no git at all
    problems, notes = check_revision.check(tmp_path)
    assert problems == [] and notes[0].startswith("revision: not compared with main:")


def test_lowered_revision_is_a_problem_naming_both_numbers(repo):
    import check_revision

    registry = repo / "consent.yml"
    current = yaml.safe_load(registry.read_text())["revision"]
    registry.write_text(
        registry.read_text().replace(f"revision: {current}", f"revision: {current - 1}")
    )
    problems, notes = check_revision.check(repo)
    assert problems == [
        f"consent.yml:{_line(registry, 'revision:')}: revision went down from {current} on main "
        f"to {current - 1}: it never goes down (visitors who chose under {current} would not be "
        f"asked again): set it back to {current}, or to {current + 1} if this change is material "
        "(raising it asks every visitor about cookies again, on their next visit)"
    ]
    assert notes == []


# --- issue 16: what editors type ---------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        "privacy.md",
        "privacy",
        "docs/en/privacy.md",
        "docs/ja/privacy.md",
        "en/privacy.md",
        "./docs/en/privacy.md",
        "docs\\en\\privacy.md",
        "{docs}/en/privacy.md",
    ],
)
def test_translated_accepts_the_paths_an_editor_types(docs, capsys, given):
    edit(docs / "ja" / "privacy.md", "当社は、販売活動", "当社は、営業活動")
    assert check_translations.record(given.format(docs=docs), docs) == 0, capsys.readouterr()
    assert not [p for p in translation_problems(docs) if "out of date" in p]


def test_translated_names_the_pages_there_are(docs, capsys):
    assert check_translations.record("privacy-policy.md", docs) == 1
    assert capsys.readouterr().err.endswith(
        "ja/privacy-policy.md: not found (PAGE is a page's file name; pages: index.md, "
        "privacy.md)\n"
    )


def test_glossary_quotes_the_glossarys_own_terms(docs):
    page = docs / "en" / "privacy.md"
    edit(page, "When acquiring personal information", "When collecting personal information")
    edit(page, "will acquire it by lawful", "will collect it by lawful")
    edit(page, "with a third party, or entrust", "with another company, or entrust")
    edit(page, "to a third party, we will supervise", "to another company, we will supervise")
    edit(page, "and the third party to ensure", "and the company to ensure")
    problems = check_glossary.check(docs)
    assert any('「取得」 should be translated as "acquire"' in p for p in problems), problems
    assert any('「第三者」 should be translated as "third party"' in p for p in problems), problems
    assert not [p for p in problems if '"acqui"' in p or '"third part"' in p]


def test_an_anchor_problem_sets_off_no_glossary_errors(docs):
    edit(docs / "ja" / "privacy.md", " { #cookies }", "")
    assert any("has no anchor" in p for p in translation_problems(docs))
    assert check_glossary.check(docs) == []
