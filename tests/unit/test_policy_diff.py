"""The comparison of two versions: sentences, characters (ja) and words (en), all escaped."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "overrides" / "hooks"))

from policy_site.versions import diff as policy_diff
from policy_site.versions.diff import Block

LABELS = policy_diff.Labels("[-", "-]", "[+", "+]")


def marked(html: str) -> str:
    """The diff with the screen-reader labels left out: what a sighted reader sees marked."""
    return (
        html.replace('<span class="policy-sr">[-</span>', "")
        .replace('<span class="policy-sr">-]</span>', "")
        .replace('<span class="policy-sr">[+</span>', "")
        .replace('<span class="policy-sr">+]</span>', "")
    )


def test_japanese_sentences_end_at_the_full_stop_and_line_ends():
    text = "第一の文です。第二の文です。\n改行の後"
    assert policy_diff.sentences(text, "ja") == ["第一の文です。", "第二の文です。", "改行の後"]


def test_english_sentences_do_not_end_after_etc():
    text = "Cookie information, etc. is handled. Users can stop it."
    assert policy_diff.sentences(text, "en") == [
        "Cookie information, etc. is handled. ",
        "Users can stop it.",
    ]


def test_only_the_changed_japanese_sentence_is_marked_by_character():
    old = [Block("p", "変わらない文です。当該第三者のプライバシーポリシーに従います。")]
    new = [Block("p", "変わらない文です。当該第三者が定めるプライバシーポリシーに従います。")]
    [block] = policy_diff.compare(old, new, "ja", LABELS)
    assert block.changed
    assert marked(block.html) == (
        "変わらない文です。当該第三者<del>の</del><ins>が定める</ins>プライバシーポリシーに従います。"
    )


def test_english_changes_are_whole_words():
    old = [Block("p", "It is handled in accordance with that policy.")]
    new = [Block("p", "It is handled properly in accordance with the policy.")]
    [block] = policy_diff.compare(old, new, "en", LABELS)
    assert marked(block.html) == (
        "It is handled <ins>properly </ins>in accordance with <del>that</del><ins>the</ins> policy."
    )


def test_unchanged_blocks_are_not_marked_and_removed_or_added_blocks_are_whole():
    old = [Block("h2", "見出し"), Block("p", "消える段落。"), Block("p", "残る段落。")]
    new = [Block("h2", "見出し"), Block("p", "残る段落。"), Block("li", "新しい項目")]
    blocks = policy_diff.compare(old, new, "ja", LABELS)
    assert [(b.tag, b.changed, marked(b.html)) for b in blocks] == [
        ("h2", False, "見出し"),
        ("p", True, "<del>消える段落。</del>"),
        ("p", False, "残る段落。"),
        ("li", True, "<ins>新しい項目</ins>"),
    ]


def test_a_rewritten_sentence_is_shown_removed_and_added_whole():
    old = [Block("p", "当社は情報を適切に管理します。")]
    new = [Block("p", "お問い合わせは窓口まで。")]
    [block] = policy_diff.compare(old, new, "ja", LABELS)
    assert (
        marked(block.html)
        == "<del>当社は情報を適切に管理します。</del><ins>お問い合わせは窓口まで。</ins>"
    )


def test_screen_readers_hear_where_a_change_starts_and_ends():
    [block] = policy_diff.compare([Block("p", "a")], [Block("p", "b")], "en", LABELS)
    assert block.html == (
        '<del><span class="policy-sr">[-</span>a<span class="policy-sr">-]</span></del>'
        '<ins><span class="policy-sr">[+</span>b<span class="policy-sr">+]</span></ins>'
    )


def test_text_is_escaped():
    old = [Block("p", "<b>old</b> & more")]
    new = [Block("p", "<script>alert(1)</script> & more")]
    [block] = policy_diff.compare(old, new, "en", LABELS)
    assert "<script>" not in block.html and "<b>" not in block.html
    assert "&lt;" in block.html and "&gt; &amp; more" in block.html


def test_blocks_of_rendered_html_skip_permalinks_and_join_table_cells():
    html = (
        '<h2 id="a">Title<a class="headerlink" href="#a">¶</a></h2>'
        "<ul><li><p>Item &amp; more</p></li></ul>"
        "<table><caption>Vendors</caption><tr><th>Service</th><td>Google<br>Ads</td></tr></table>"
        '<div class="footnote"><ol><li><p>Note <a class="footnote-backref" href="#r">↩</a></p></li></ol></div>'
    )
    assert policy_diff.blocks_of(html) == [
        Block("h2", "Title"),
        Block("li", "Item & more"),
        Block("caption", "Vendors"),
        Block("tr", "Service | Google Ads"),
        Block("li", "Note"),
    ]


def test_a_new_paragraph_before_a_changed_one_does_not_mix_them_up():
    old = [Block("p", "最初の段落です。"), Block("p", "当社は情報を管理します。")]
    new = [
        Block("p", "お問い合わせ窓口を新設しました。"),
        Block("p", "最初の段落でした。"),
        Block("p", "当社は情報を適切に管理します。"),
    ]
    blocks = policy_diff.compare(old, new, "ja", LABELS)
    assert [marked(b.html) for b in blocks] == [
        "<ins>お問い合わせ窓口を新設しました。</ins>",
        "最初の段落で<del>す</del><ins>した</ins>。",
        "当社は情報を<ins>適切に</ins>管理します。",
    ]


def test_english_possessives_change_as_their_own_part():
    [block] = policy_diff.compare(
        [Block("p", "with that third party's policy.")],
        [Block("p", "with the policy of that third party.")],
        "en",
        LABELS,
    )
    assert "party<del>'s policy</del>" in marked(block.html)


def test_a_japanese_sentence_does_not_end_inside_a_bracket():
    text = "契約（以下「等契約」といいます。）の締結のため。次の文。"
    assert policy_diff.sentences(text, "ja") == [
        "契約（以下「等契約」といいます。）の締結のため。",
        "次の文。",
    ]


def test_sentence_changes_say_what_was_changed_removed_and_added_and_where():
    """The plain form the approved-text check prints: the same pairing as the pages."""
    old = [
        "残る文。",
        "当該第三者のプライバシーポリシーに従います。",
        "消える文です。",
        "最後の文。",
    ]
    new = [
        "残る文。",
        "当該第三者が定めるプライバシーポリシーに従います。",
        "最後の文。",
        "足した文。",
    ]
    P = policy_diff.Part
    assert policy_diff.sentence_changes(old, new, "ja") == [
        policy_diff.SentenceChange(
            1,
            1,
            (
                P("kept", "当該第三者"),
                P("removed", "の"),
                P("added", "が定める"),
                P("kept", "プライバシーポリシーに従います。"),
            ),
            1,
            1,
        ),
        policy_diff.SentenceChange(2, None, (P("removed", "消える文です。"),), 2, 2),
        policy_diff.SentenceChange(None, 3, (P("added", "足した文。"),), 4, 3),
    ]
