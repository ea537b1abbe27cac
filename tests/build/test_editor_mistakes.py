"""A legal editor's everyday mistakes, fed to `make check` and `make build` on a copy of the
project: each gives exactly one message naming the file, the line and the fix; never a
traceback, never a silent loss; `build: OK` or `build: FAILED` always ends `make check`."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.project_copy import copy_project

ROOT = Path(__file__).resolve().parents[2]
STATUS = re.compile(r"^(note: |[a-z ]+: (OK|\d+ problems?)$|build: )")


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the real project (its own scripts, so the checks read this copy)."""
    return copy_project(tmp_path / "project")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def make_check(project: Path) -> tuple[int, str]:
    run = subprocess.run(
        [sys.executable, str(project / "scripts" / "check_all.py")],
        cwd=project,
        capture_output=True,
        text=True,
    )
    output = run.stdout + run.stderr
    assert "Traceback" not in output, output
    return run.returncode, output


def make_build(project: Path) -> tuple[int, str]:
    run = subprocess.run(
        [sys.executable, str(project / "scripts" / "build_site.py")],
        cwd=project,
        capture_output=True,
        text=True,
    )
    output = run.stdout + run.stderr
    assert "Traceback" not in output, output
    if run.returncode:
        assert not (project / "site").exists(), "a failed build must not leave a site behind"
    return run.returncode, output


def problems(output: str) -> list[str]:
    """The lines an editor must act on: not the per-check verdicts, notes or build verdict."""
    return [line for line in output.splitlines() if line.strip() and not STATUS.match(line)]


def assert_one_message(project: Path, expected: str) -> None:
    """`make check` says it once and fails the build; `make build` says the same."""
    code, output = make_check(project)
    assert code == 1
    assert problems(output) == [expected], output
    assert output.rstrip().endswith("build: FAILED (because of the problems above)"), output
    code, output = make_build(project)
    assert code != 0 and expected in output.splitlines(), output


# 1. A comment left open before the vendor-table marker.
def test_unclosed_comment_before_the_marker(project):
    page = project / "docs/en/privacy.md"
    edit(
        page,
        "<!-- consent:vendors -->",
        "<!-- TODO legal: check the table below\n\n<!-- consent:vendors -->",
    )
    line = line_of(page, "TODO legal")
    assert_one_message(
        project,
        f"docs/en/privacy.md:{line}: the comment `<!-- TODO legal: check the table below…` is "
        f"not closed before the next comment at line {line + 2}, so it would hide the rest of "
        f"the page: end it with -->",
    )


# 2. A mistyped or missing marker.
def test_mistyped_marker_is_named(project):
    page = project / "docs/en/privacy.md"
    edit(page, "<!-- consent:vendors -->", "<!-- consent: vendors -->")
    assert_one_message(
        project,
        f"docs/en/privacy.md:{line_of(page, 'consent: vendors')}: `<!-- consent: vendors -->` "
        f"is not the vendor-table marker, so no table would be shown: write exactly "
        f"<!-- consent:vendors -->",
    )


def test_missing_marker_on_the_policy_page_fails(project):
    page = project / "docs/en/privacy.md"
    edit(page, "<!-- consent:vendors -->\n", "")
    assert_one_message(
        project,
        f"docs/en/privacy.md:{line_of(page, '{ #cookies }')}: the vendor table is missing: add "
        f"a line <!-- consent:vendors --> in section #cookies (this page is the consent "
        f"plugin's policy_page in mkdocs.yml; the law requires the table)",
    )


# 3. Front-matter mistakes.
def test_impossible_date(project):
    edit(project / "docs/en/privacy.md", "last_updated: 2026-11-26", "last_updated: 2027-13-01")
    assert_one_message(
        project,
        "docs/en/privacy.md:4: last_updated: 2027-13-01 is not a real date: write a day that "
        "exists as YYYY-MM-DD, e.g. 2026-11-26",
    )


def test_title_with_a_colon(project):
    edit(
        project / "docs/en/privacy.md",
        "title: Handling of Personal Information",
        "title: Privacy: Handling of Personal Information",
    )
    assert_one_message(
        project,
        "docs/en/privacy.md:2: front matter: the value of 'title' contains a colon followed by "
        "a space, which YAML reads as a new key: put the whole value in double quotes, like "
        'title: "Privacy: Handling of Personal Information"',
    )


# 4. A duplicate heading anchor.
def test_duplicate_anchor(project):
    page = project / "docs/en/privacy.md"
    edit(page, "{ #joint-users }", "{ #cookies }")
    assert_one_message(
        project,
        f"docs/en/privacy.md:{line_of(page, 'Scope of Joint Users')}: anchor #cookies is "
        f"already used by the heading at line {line_of(page, 'Cookie Information, etc.')}: give "
        f"this heading its own anchor (the same in both languages)",
    )


def test_duplicate_anchor_in_both_languages_fails_the_build(project):
    for lang in ("ja", "en"):
        edit(project / "docs" / lang / "privacy.md", "{ #joint-users }", "{ #cookies }")
    code, output = make_build(project)
    assert code != 0
    assert [line for line in output.splitlines() if "anchor #cookies is already used" in line]


# 5. A footnote reference without its note.
def test_footnote_without_a_note(project):
    page = project / "docs/en/privacy.md"
    edit(page, "suppliers[^2]", "suppliers[^nodef]")
    assert_one_message(
        project,
        f"docs/en/privacy.md:{line_of(page, '[^nodef]')}: footnote [^nodef] has no note: add a "
        f"line `[^nodef]: ※ …` at the end of the page, or remove the reference",
    )


# 6. A lone surrogate in the registry.
def test_lone_surrogate_in_the_registry(project):
    registry = project / "consent.yml"
    edit(registry, "en: Google Analytics", 'en: "Google \\ud800 Analytics"')
    line = line_of(registry, "ud800")
    code, output = make_check(project)
    assert code == 1
    expected = (
        f"consent.yml:{line}: vendors[0].service.en: contains \\ud800, which is not a "
        f"character: remove that escape"
    )
    assert problems(output) == [expected], output
    code, output = make_build(project)
    assert code != 0 and expected in output.splitlines(), output


# 8. The menu.
def test_untranslated_menu_title(project):
    config = project / "mkdocs.yml"
    for lang in ("ja", "en"):
        shutil.copy(project / "docs" / lang / "index.md", project / "docs" / lang / "contact.md")
    edit(
        config,
        "  - 個人情報の取り扱いについて: privacy.md\n",
        "  - 個人情報の取り扱いについて: privacy.md\n  - お問い合わせ: contact.md\n",
    )
    assert_one_message(
        project,
        f"mkdocs.yml:{line_of(config, 'お問い合わせ: contact.md')}: the menu title 'お問い合わせ' "
        f"(contact.md) has no English title, so the English menu would show it untranslated: "
        f"add `お問い合わせ: …` under nav_translations of 'en' "
        f"(mkdocs.yml:{line_of(config, 'nav_translations:')})",
    )


def test_page_missing_from_the_menu_points_at_mkdocs_yml(project):
    config = project / "mkdocs.yml"
    for lang in ("ja", "en"):
        shutil.copy(project / "docs" / lang / "index.md", project / "docs" / lang / "contact.md")
    assert_one_message(
        project,
        f"mkdocs.yml:{line_of(config, 'nav:')}: contact.md (docs/ja/contact.md, "
        f"docs/en/contact.md) is not in the menu: add a line `  - Title: contact.md` under "
        f"nav: (and its English title under nav_translations; see CONTRIBUTING.md, Adding a page)",
    )


# 10. Noise.
def test_registry_error_is_said_once_without_temporary_paths(project):
    registry = project / "consent.yml"
    edit(registry, "category: advertising", "category: advert")
    code, output = make_check(project)
    assert code == 1
    assert problems(output) == [
        f"consent.yml:{line_of(registry, 'category: advert')}: vendors[1].category: unknown "
        f"category 'advert' (did you mean 'advertising'?)"
    ], output
    assert "/tmp" not in output and "was left as it was" not in output
    assert output.rstrip().endswith("build: FAILED (because of the problems above)")


def test_broken_anchor_is_one_message(project):
    page = project / "docs/en/index.md"
    edit(page, "privacy.md#cookies", "privacy.md#cookie")
    code, output = make_check(project)
    assert code == 1
    assert problems(output) == [
        f"docs/en/index.md:{line_of(page, 'privacy.md#cookie')}: privacy.md#cookie: there is "
        f"no #cookie in docs/en/privacy.md"
    ], output


def test_build_verdict_is_always_there_and_the_notes_read_right(project):
    edit(project / "docs/en/privacy.md", "last_updated: 2026-11-26", "last_updated: 2026-11-27")
    code, output = make_check(project)
    assert code == 1 and "last_updated differs" in output
    assert output.rstrip().splitlines()[-1] == (
        "build: OK (strict: internal links, anchors, translations)"
    )
    assert (
        "note: consent.yml: vendor 'google-ads' is not yet confirmed by legal: set "
        "`confirmed: true` when it is" in output.splitlines()
    )


def test_yaml_syntax_error_in_the_registry_is_in_plain_words(project):
    registry = project / "consent.yml"
    edit(registry, "en: Google Analytics", "en: Google: Analytics")
    code, output = make_check(project)
    assert code == 1
    assert problems(output) == [
        f"consent.yml:{line_of(registry, 'Google: Analytics')}: the value of 'en' contains a "
        f"colon followed by a space, which YAML reads as a new key: put the whole value in "
        f'double quotes, like en: "Google: Analytics"'
    ], output


def test_build_output_has_no_i18n_extra_dump(project):
    code, output = make_build(project)
    assert code == 0, output
    assert "config 'extra' with" not in output
    assert output.rstrip().splitlines()[-1] == "build: OK → site/"


# 11. Hidden rules.
def test_japanese_paragraph_split_over_two_lines(project):
    page = project / "docs/ja/privacy.md"
    edit(page, "当社は、販売活動を通じて得た", "当社は、販売活動を通じて得た\n")
    line = line_of(page, "当社は、販売活動を通じて得た")
    code, output = make_check(project)
    assert code == 1
    assert (
        f"docs/ja/privacy.md:{line}: this Japanese paragraph goes on at line {line + 1}: join "
        f"the two lines (a line break inside a Japanese paragraph shows as a space)"
    ) in output.splitlines(), output


def test_approved_text_differs(project):
    page = project / "docs/ja/privacy.md"
    edit(page, "当社は、販売活動", "当社は、営業活動")
    code, output = make_check(project)
    assert code == 1
    assert (
        f"docs/ja/privacy.md:{line_of(page, '営業活動')}: differs from the approved text "
        f"tests/fixtures/seed_privacy_ja.txt:5: 「当社は、[-販売-]{{+営業+}}活動を通じて得たお客様の…」: "
        f"restore the approved wording, or, if legal approved the change, write the new "
        f"wording into tests/fixtures/seed_privacy_ja.txt at line 5 in the same pull request"
    ) in output.splitlines(), output


def test_english_wording_differs_until_legal_approves_it(project):
    """The English has an approved copy too: a changed meaning is one message, with the words;
    `make approve` records the approval in a file legal owns, and the check is clean again."""
    page = project / "docs/en/privacy.md"
    edit(
        page,
        "only with those business operators necessary",
        "only with business operators to the extent necessary",
    )
    code, output = make_check(project)
    assert code == 1
    assert problems(output) == [
        f"docs/en/privacy.md:{line_of(page, '[^1]: ※ 1')}: differs from the approved text "
        f"tests/fixtures/approved_privacy_en.txt:"
        f"{line_of(project / 'tests/fixtures/approved_privacy_en.txt', '※ 1 We engage')}: "
        f'"…of your personal information only with [-those -]business operators '
        f'{{+to the extent +}}necessary for the purposes of joint …": restore the approved '
        f"wording, or, if legal approved the change, run `make approve PAGE=privacy.md` and "
        f"commit tests/fixtures/approved_privacy_en.txt in the same pull request"
    ], output
    assert "note: [-…-] is the approved wording the page no longer says" in output
    approve = subprocess.run(
        [
            sys.executable,
            str(project / "scripts/check_approved_text.py"),
            "--approve",
            "privacy.md",
        ],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert approve.returncode == 0, approve.stderr
    assert (
        "tests/fixtures/approved_privacy_en.txt: recorded the wording of docs/en/privacy.md"
        in approve.stdout
    )
    assert "to the extent necessary" in (
        project / "tests/fixtures/approved_privacy_en.txt"
    ).read_text(encoding="utf-8")
    code, output = make_check(project)
    assert code == 0 and problems(output) == [], output


def test_plugin_alone_refuses_a_marker_inside_an_open_comment(tmp_path):
    """A site without our page rules (the plugin's fixture project) is protected too."""
    project = tmp_path / "minimal"
    shutil.copytree(Path(__file__).parent / "projects" / "minimal", project)
    shutil.copy(ROOT / "consent.yml", project / "consent.yml")
    page = project / "docs" / "privacy.md"
    edit(page, "<!-- consent:vendors -->", "<!-- TODO legal\n\n<!-- consent:vendors -->")
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(project / "site")],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert (
        f"privacy.md:{line_of(page, 'TODO legal')}: a comment opened here is not closed before "
        "<!-- consent:vendors -->, so the table and the rest of the page would be hidden: end it "
        "with -->"
    ) in run.stderr


# 12. Code pasted into a page (issue 16): refused by the check and the build, with where a
# vendor's tag belongs. (The CSP's own refusal: tests/e2e/test_template_scripts.py.)
TAG_HOME = (
    "a vendor's tag belongs in consent.yml, as `tag:` of its vendor (CONTRIBUTING.md, Adding a tag)"
)


@pytest.mark.parametrize(
    "pasted,words",
    [
        (
            "<script>alert(1)</script>",
            "<script> is not allowed in a page (its code would run on every visit, before any "
            "consent, and the site's Content-Security-Policy blocks it): remove it; " + TAG_HOME,
        ),
        (
            '<iframe src="https://www.youtube.com/embed/x"></iframe>',
            "<iframe> is not allowed in a page (it would load another site, which can set its "
            "cookies before any consent): remove it; " + TAG_HOME,
        ),
        (
            '<img src="logo.png" alt="" onerror="alert(1)">',
            "the attribute onerror= runs code, which a page may not: remove it; " + TAG_HOME,
        ),
        (
            "[settings](javascript:alert(1))",
            "a javascript: address runs code when clicked, which a page may not: link to a page "
            "or an https:// address instead; " + TAG_HOME,
        ),
    ],
    ids=["script", "iframe", "event attribute", "javascript link"],
)
def test_code_pasted_into_a_page_fails_check_and_build(project, pasted, words):
    page = project / "docs/en/privacy.md"
    edit(page, "<!-- consent:vendors -->", f"{pasted}\n\n<!-- consent:vendors -->")
    assert_one_message(project, f"docs/en/privacy.md:{line_of(page, pasted)}: {words}")


def test_a_gated_placeholder_in_a_page_is_still_allowed(project):
    """CONTRIBUTING.md's one-page gated script: consent runs it, from a file the CSP governs."""
    page = project / "docs/en/privacy.md"
    gated = '<script type="text/plain" data-consent="analytics" data-src="/assets/x.js"></script>'
    edit(page, "<!-- consent:vendors -->", f"{gated}\n\n<!-- consent:vendors -->")
    code, output = make_build(project)
    assert code == 0, output


# 13. A page saved in Shift_JIS (CP932), as Japanese Windows editors often do.
CP932_WORDS = (
    "not saved as UTF-8 but as Shift_JIS (CP932), as Japanese Windows editors often do: save "
    "it as UTF-8 (VS Code: click the encoding in the status bar, Save with Encoding, UTF-8; "
    "Notepad: Save As, Encoding: UTF-8)"
)


def test_a_page_saved_as_shift_jis_is_one_message(project):
    page = project / "docs/ja/privacy.md"
    page.write_bytes(page.read_text(encoding="utf-8").encode("cp932"))
    assert_one_message(project, f"docs/ja/privacy.md:2: {CP932_WORDS}")
    # The other checks carried on, each with its verdict.
    _, output = make_check(project)
    for verdict in ("glossary: OK", "menu: OK", "revision: OK", "translations: 1 problem"):
        assert verdict in output.splitlines(), output


def test_a_registry_saved_as_shift_jis_is_one_message(project):
    registry = project / "consent.yml"
    # (Notepad replaces the few characters CP932 lacks, such as the em dash.)
    registry.write_bytes(registry.read_text(encoding="utf-8").encode("cp932", errors="replace"))
    assert_one_message(project, f"consent.yml:{_first_undecodable_line(registry)}: {CP932_WORDS}")


def _first_undecodable_line(path: Path) -> int:
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return data.count(b"\n", 0, error.start) + 1
    raise AssertionError(f"{path} is UTF-8")


# 14. Full-width characters where YAML or an anchor needs half-width ones.
def test_full_width_colon_in_front_matter(project):
    edit(project / "docs/ja/privacy.md", "title: 個人情報", "title：個人情報")
    assert_one_message(
        project,
        "docs/ja/privacy.md:2: front matter: full-width colon ： after 'title': write a "
        "half-width colon and a space: title: 個人情報の取り扱いについて",
    )


def test_full_width_colon_in_the_registry(project):
    registry = project / "consent.yml"
    edit(registry, "    category: advertising", "    category：advertising")
    assert_one_message(
        project,
        f"consent.yml:{line_of(registry, 'category：')}: full-width colon ： after 'category': "
        f"write a half-width colon and a space: category: advertising",
    )


def test_full_width_spaces_indenting_the_registry(project):
    registry = project / "consent.yml"
    indented = "\u3000\u3000category: advertising"
    edit(registry, "\n    category: advertising", "\n" + indented)
    assert_one_message(
        project,
        f"consent.yml:{line_of(registry, indented)}: full-width spaces (U+3000) indent "
        f"this line: indent it with half-width spaces",
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_full_width_hash_in_a_heading_anchor_is_one_message(project, lang):
    """No "has no anchor", no broken links to it, no glossary errors from misaligned sections."""
    page = project / "docs" / lang / "privacy.md"
    edit(page, "{ #cookies }", "{ ＃cookies }")
    assert_one_message(
        project,
        f"docs/{lang}/privacy.md:{line_of(page, '＃cookies')}: the heading's anchor "
        f"{{ ＃cookies }} is written with full-width characters (＃): write it in half-width "
        f"ones: {{ #cookies }}",
    )


# 15. A byte-order mark (Windows Notepad): accepted by every check and by the build alike.
def test_a_byte_order_mark_is_accepted_by_the_check_and_the_build(project):
    for rel in ("docs/ja/privacy.md", "docs/en/privacy.md", "consent.yml"):
        path = project / rel
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, output = make_check(project)
    assert code == 0 and problems(output) == [], output
    assert output.rstrip().endswith("build: OK (strict: internal links, anchors, translations)")
    code, output = make_build(project)
    assert code == 0, output


# 16. Windows line endings: the same site, and a note.
def test_crlf_line_endings_are_noted(project):
    page = project / "docs/en/privacy.md"
    page.write_bytes(page.read_bytes().replace(b"\n", b"\r\n"))
    code, output = make_check(project)
    assert code == 0 and problems(output) == [], output
    assert (
        "note: docs/en/privacy.md: saved with Windows line endings (CRLF). The site is the "
        "same, and git stores the file with LF (.gitattributes), so the pull request shows only "
        "your changes; to keep them out of your copy too, set your editor to LF (VS Code: click "
        "CRLF in the status bar)"
    ) in output.splitlines(), output


def test_git_stores_a_crlf_page_with_lf(project):
    """`.gitattributes`: a pull request shows only the real changes."""
    page = project / "docs/en/privacy.md"
    lf = page.read_bytes()
    page.write_bytes(lf.replace(b"\n", b"\r\n"))
    git = [
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.test",
        "-c",
        "core.autocrlf=false",
    ]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", ".gitattributes", "docs/en/privacy.md"], cwd=project, check=True)
    stored = subprocess.run(
        [*git, "show", ":docs/en/privacy.md"], cwd=project, capture_output=True, check=True
    ).stdout
    assert stored == lf


# 17. A page renamed in letter case only.
def test_case_only_rename_is_one_message(project):
    (project / "docs/en/privacy.md").rename(project / "docs/en/Privacy.md")
    assert_one_message(
        project,
        "docs/en/Privacy.md: file names are lower-case; the Japanese original is "
        "docs/ja/privacy.md: rename this file to docs/en/privacy.md (git mv docs/en/Privacy.md "
        "docs/en/privacy.md)",
    )


# 18. Small ones.
def test_missing_revision_suggests_a_value(project):
    registry = project / "consent.yml"
    edit(registry, "revision: 2\n", "")
    assert_one_message(
        project,
        f"consent.yml:{line_of(registry, 'languages:')}: missing 'revision': add the line "
        f"`revision: 1` at the top level (or, if it was deleted by mistake, the number it had "
        f"on main)",
    )


def test_duplicate_vendor_id_names_the_other_entry_by_its_line(project):
    registry = project / "consent.yml"
    first = line_of(registry, "id: google-ads")
    edit(registry, "id: line-tag", "id: google-ads")
    duplicate = _last_line_of(registry, "id: google-ads")
    assert_one_message(
        project,
        f"consent.yml:{duplicate}: vendors[4].id: id 'google-ads' is already used by the "
        f"vendor at line {first}: give each vendor its own id",
    )


def _last_line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return max(number for number, line in enumerate(lines, 1) if needle in line)


def test_an_edited_archived_version_fails_the_build_too(project):
    archived = project / "policy-versions/2026-11-26/en/privacy.md"
    edit(archived, "Liaison", "Liason")
    assert_one_message(
        project,
        "policy-versions/2026-11-26/en/privacy.md: changed after it was published on "
        "2026-11-26. A published version is never edited: restore it (`git checkout -- "
        "policy-versions/2026-11-26/en/privacy.md`) and publish the change as a new version "
        "(`make release DATE=YYYY-MM-DD`).",
    )
