"""What Japanese editors' tools write (Shift_JIS, BOM, full-width characters, pasted code): the
shared readers name it in plain words; the CSP hashes only the templates' own scripts."""

from __future__ import annotations

import base64
import hashlib

import checklib  # noqa: F401  (puts overrides/hooks on the import path)
import pytest
import security_headers

from consent_widget import text_files, yaml_words
from policy_site.pages import source as page_source

# --- encodings ---------------------------------------------------------------------


def test_utf8_with_a_bom_reads_as_without():
    assert text_files.decode("\ufeff---\ntitle: 題\n".encode(), "p.md") == "---\ntitle: 題\n"


@pytest.mark.parametrize(
    "data,saved",
    [
        ("---\ntitle: 個人情報\n".encode("cp932"), "not saved as UTF-8 but as Shift_JIS (CP932)"),
        ("---\ntitle: 題\n".encode("utf-16"), "not saved as UTF-8 but as UTF-16"),
        ("---\ntitle: café\n".encode("latin-1"), "not saved as UTF-8: save it as UTF-8"),
    ],
    ids=["cp932", "utf-16", "latin-1"],
)
def test_a_file_that_is_not_utf8_is_named_with_its_line_and_the_fix(data, saved):
    with pytest.raises(text_files.NotUTF8) as raised:
        text_files.decode(data, "docs/ja/p.md")
    line = 1 if saved.endswith("UTF-16") else 2
    assert str(raised.value).startswith(f"docs/ja/p.md:{line}: {saved}")
    assert "save it as UTF-8 (VS Code:" in str(raised.value)


# --- full-width characters in YAML -------------------------------------------------


def test_full_width_syntax_is_named_with_the_half_width_fix():
    lines = [
        "title：個人情報",
        "\u3000\u3000category: advertising",
        "ja:\u3000テキスト",
        "cookies: ［_ga, _gid］",
        "＃ a comment",
    ]
    assert yaml_words.full_width(lines, offset=1) == [
        (
            2,
            "full-width colon ： after 'title': write a half-width colon and a space: title: 個人情報",
        ),
        (3, "full-width spaces (U+3000) indent this line: indent it with half-width spaces"),
        (4, "full-width space (U+3000) after 'ja:': write a half-width space: ja: テキスト"),
        (5, "full-width brackets in ［_ga, _gid］: write half-width ones: [_ga, _gid]"),
        (6, "full-width ＃ starts this comment: write a half-width #"),
    ]


def test_full_width_characters_inside_values_are_text():
    lines = [
        "title: 個人情報の取り扱いについて：概要",
        "ja: ［重要］お知らせ",
        "  description: {ja: 広告です（１）, en: Ads}",
        "ja: 最終更新日：2026年11月26日　（予定）",
    ]
    assert yaml_words.full_width(lines) == []


def test_front_matter_with_a_full_width_colon_names_that_line():
    text = "---\ntitle：題\ndescription: 説明\nlast_updated: 2026-11-26\n---\n\n本文\n"
    assert page_source.problems(text, "docs/ja/p.md") == [
        "docs/ja/p.md:2: front matter: full-width colon ： after 'title': write a half-width "
        "colon and a space: title: 題"
    ]


def test_a_full_width_heading_anchor_names_each_character():
    text = "---\ntitle: t\ndescription: d\nlast_updated: 2026-11-26\n---\n\n## 見出し ｛\u3000＃ｃookies ｝\n"
    assert page_source.problems(text, "p.md") == [
        "p.md:7: the heading's anchor ｛\u3000＃ｃookies ｝ is written with full-width characters "
        "(｛, a full-width space (U+3000), ＃, ｃ, ｝): write it in half-width ones: { #cookies }"
    ]


# --- code in a page ----------------------------------------------------------------

HEAD = "---\ntitle: t\ndescription: d\nlast_updated: 2026-11-26\n---\n\n"


def active(body: str) -> list[str]:
    return [p.split(": ", 1)[1] for p in page_source.problems(HEAD + body, "p.md")]


@pytest.mark.parametrize(
    "body,start",
    [
        ("<script src='https://x.example/t.js'></script>", "<script> is not allowed"),
        ("<SCRIPT>alert(1)</SCRIPT>", "<script> is not allowed"),
        ("<object data='x.swf'></object>", "<object> is not allowed"),
        ("<embed src='x'>", "<embed> is not allowed"),
        ("<svg onload=alert(1)></svg>", "the attribute onload= runs code"),
        ('<a href=" jav&#x61;script:alert(1)">x</a>', "a javascript: address runs code"),
        ("[x](JavaScript:alert(1))", "a javascript: address runs code"),
        ("[x][r]\n\n[r]: javascript:alert(1)", "a javascript: address runs code"),
        ("## Heading { onclick=alert(1) #h }", "the attribute onclick= runs code"),
        (
            '<script type="text/plain" data-consent="analytics">gtag()</script>',
            "the gated <script> has code inside",
        ),
    ],
)
def test_code_anywhere_in_a_page_is_named(body, start):
    found = active(body)
    assert len(found) == 1 and found[0].startswith(start), found
    assert found[0].endswith(
        "a vendor's tag belongs in consent.yml, as `tag:` of its vendor "
        "(CONTRIBUTING.md, Adding a tag)"
    )


def test_code_in_the_front_matter_is_named_with_its_line():
    text = HEAD.replace("description: d", 'description: "d <script>x()</script>"')
    found = page_source.problems(text, "p.md")
    assert len(found) == 1 and found[0].startswith("p.md:3: <script> is not allowed"), found


def test_text_about_code_is_not_code():
    body = (
        "`<script>` in inline code, and prose: JavaScript: onload= is an attribute.\n\n"
        "```html\n<script>alert(1)</script>\n<iframe src=x></iframe>\n```\n\n"
        "<!-- <script>commented out</script> -->\n\n"
        '<script type="text/plain" data-consent="analytics" data-src="/assets/x.js"></script>\n\n'
        "[policy](https://example.com/javascript:) and <https://example.com/>\n"
    )
    assert active(body) == []


# --- page files and their twins ----------------------------------------------------


def test_twins_name_a_case_only_rename_once():
    twins = page_source.twins(
        {"ja": {"index.md", "privacy.md"}, "en": {"index.md", "Privacy.md"}},
        {"ja": "docs/ja", "en": "docs/en"},
    )
    assert twins.problems == [
        "docs/en/Privacy.md: file names are lower-case; the Japanese original is "
        "docs/ja/privacy.md: rename this file to docs/en/privacy.md (git mv docs/en/Privacy.md "
        "docs/en/privacy.md)"
    ]
    assert twins.pages["privacy.md"] == {"ja": "privacy.md", "en": "Privacy.md"}
    assert twins.name("en", "Privacy.md") == "privacy.md"


def test_twins_name_missing_files_in_both_directions():
    twins = page_source.twins({"ja": {"a.md"}, "en": {"b.md"}}, {"ja": "docs/ja", "en": "docs/en"})
    assert twins.problems == [
        "docs/ja/a.md: has no English version: create docs/en/a.md",
        "docs/en/b.md: has no Japanese original docs/ja/b.md (remove it, or add the original)",
    ]
    assert twins.pages == {}


# --- the CSP's inline scripts ------------------------------------------------------


def csp_hash(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


def test_only_scripts_carrying_the_builds_mark_are_hashed():
    mark = "0123456789abcdef"
    html = (
        f"<script data-template-script={mark}>theme()</script>"
        f'<script id="__config" type="application/json" data-template-script={mark}>{{}}</script>'
        "<script>pasted()</script>"
        "<script data-template-script=forged>forged()</script>"
        '<script type="text/plain" data-consent="analytics" data-src="/a.js"></script>'
        '<script src="/assets/x.js" defer></script>'
    )
    cleaned, hashes, foreign = security_headers.template_scripts(html, mark)
    assert hashes == {csp_hash("theme()")}
    assert foreign == ["pasted()", "forged()"]
    assert mark not in cleaned and "<script>theme()</script>" in cleaned
    assert '<script id="__config" type="application/json">{}</script>' in cleaned


def test_templates_have_their_script_tags_marked_and_only_those():
    import jinja2

    loader = security_headers._TemplateScripts(
        jinja2.DictLoader(
            {
                "page.html": (
                    '<script>a({{ x }})</script><script id="c" type="application/json">'
                    '</script><script src="{{ u }}"></script>{{ page_content }}'
                )
            }
        ),
        "m1",
    )
    env = jinja2.Environment(loader=loader)
    out = env.get_template("page.html").render(
        x=1, u="/b.js", page_content="<script>pasted()</script>"
    )
    assert out == (
        '<script data-template-script=m1>a(1)</script><script id="c" type="application/json" '
        'data-template-script=m1></script><script src="/b.js"></script><script>pasted()</script>'
    )
