"""Rendering: safe serialisation, determinism, hashed names, the table and the CLI."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from consent_widget import registry, render
from consent_widget.__main__ import main as cli

from .test_registry import VALID

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)>\u2028&amp;"


def model(text: str = VALID) -> registry.Registry:
    return registry.parse(text, "consent.yml")


def hostile_model() -> registry.Registry:
    return model(VALID.replace("Google Ads", json.dumps(HOSTILE)))


def test_serialised_config_cannot_close_a_script_or_break_a_line():
    text = render.serialise(render.js_config(hostile_model(), "en"))
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in text
    # …and still means exactly the same data.
    assert HOSTILE in json.dumps(json.loads(text), ensure_ascii=False)


def test_same_input_gives_byte_identical_assets():
    first, second = render.build_assets(model(), "ja"), render.build_assets(model(), "ja")
    assert first == second
    newer = model(VALID.replace("revision: 3", "revision: 4"))
    assert render.build_assets(newer, "ja").js != first.js


def test_asset_names_carry_a_content_hash():
    for lang in ("ja", "en"):
        assets = render.build_assets(model(), lang)
        js_digest = hashlib.sha256(assets.js.content).hexdigest()[:10]
        assert assets.js.name == f"consent.{lang}.{js_digest}.js"
        css_digest = hashlib.sha256(assets.css.content).hexdigest()[:10]
        assert assets.css.name == f"consent.{css_digest}.css"


def test_each_language_asset_carries_only_its_own_words():
    ja = render.build_assets(model(), "ja-JP").js.content.decode()
    en = render.build_assets(model(), "en").js.content.decode()
    assert "Google 広告" in ja and "Google Ads" not in ja
    assert "Google Ads" in en and "Google 広告" not in en
    # An unknown page language falls back to the registry's first language.
    assert render.build_assets(model(), "fr").js.name.startswith("consent.ja.")


def test_asset_embeds_config_and_cookie_path():
    js = render.build_assets(model(), "en", cookie_path="/policy/").js.content.decode()
    assert render.CONFIG_PLACEHOLDER not in js
    assert '"path":"/policy/"' in js and '"revision":3' in js
    assert "\n\n" not in js  # minified


def test_disclosure_table_has_one_row_per_vendor_in_the_page_language():
    soup = BeautifulSoup(render.disclosure_table(model(), "en"), "html.parser")
    headers = [th.get_text() for th in soup.select("thead th")]
    assert headers == [
        "Category",
        "Service",
        "Recipient",
        "Information sent",
        "Purpose of use",  # 利用目的, as the glossary says
        "Opt out",
    ]
    row = soup.select("tbody tr")
    assert len(row) == 1
    cells = [c.get_text(" ", strip=True) for c in row[0].find_all(["th", "td"])]
    assert cells[0] == "Advertising" and cells[1] == "Google Ads"
    opt_out = row[0].select("a")[-1]
    assert opt_out["href"] == "https://adssettings.google.com/"
    assert opt_out.get("target") is None and opt_out["rel"] == ["noopener", "noreferrer"]
    ja = BeautifulSoup(render.disclosure_table(model(), "ja-JP"), "html.parser")
    assert ja.select_one("tbody th").get_text() == "Google 広告"


def test_markup_in_the_registry_is_text_in_the_table():
    html = render.disclosure_table(hostile_model(), "en")
    assert "<script>" not in html and "<img" not in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("tbody th").get_text() == HOSTILE


def test_cli_build_writes_asset_snippet_and_tables(tmp_path):
    (tmp_path / "consent.yml").write_text(VALID, encoding="utf-8")
    out = tmp_path / "out"
    code = cli(
        [
            *("build", str(tmp_path / "consent.yml"), "-o", str(out), "--base-url", "/static/"),
            *("--policy-url", "/{lang}/privacy/#cookies"),
        ]
    )
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    for lang in ("ja", "en"):
        js_name = next(n for n in names if re.fullmatch(rf"consent\.{lang}\.[0-9a-f]{{10}}\.js", n))
        snippet = (out / f"snippet.{lang}.html").read_text()
        assert f'<script src="/static/{js_name}" defer></script>' in snippet
        # The banner links the policy's cookie section in its own language.
        assert f'"policy":"/{lang}/privacy/#cookies"' in (out / js_name).read_text()
    assert (out / "vendors.ja.html").read_text().startswith('<div class="cw-disclosure"')


def test_cli_check_exits_non_zero_with_plain_errors(tmp_path):
    bad = tmp_path / "consent.yml"
    bad.write_text(VALID.replace("category: advertising", "category: ads"), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "consent_widget", "check", str(bad)], capture_output=True, text=True
    )
    assert run.returncode == 1
    assert "vendors[0].category: unknown category 'ads'" in run.stderr
    assert "Traceback" not in run.stderr


def test_cli_check_lists_unconfirmed_vendors():
    run = subprocess.run(
        [sys.executable, "-m", "consent_widget", "check", str(ROOT / "consent.yml")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "OK" in run.stdout


def test_table_and_widget_link_the_vendor_page_of_their_language():
    from .test_registry import PER_LANGUAGE

    per_language = model(PER_LANGUAGE)
    for lang in ("ja", "en"):
        table = BeautifulSoup(render.disclosure_table(per_language, lang), "html.parser")
        assert table.select("tbody a")[-1]["href"] == f"https://myadcenter.google.com/?hl={lang}"
        vendor = render.js_config(per_language, lang)["vendors"][0]
        assert vendor["optOutUrl"] == f"https://myadcenter.google.com/?hl={lang}"
        assert vendor["privacyUrl"] == "https://policies.google.com/privacy"


NOTED = VALID.replace(
    "    privacy_url: https://policies.google.com/privacy\n",
    "    privacy_url: https://policies.google.com/privacy\n"
    "    opt_out_note: {ja: ログイン中のみ, en: Only while logged in}\n",
)


def test_opt_out_note_stands_beside_the_opt_out_link():
    noted = model(NOTED)
    for lang, note in (("ja", "ログイン中のみ"), ("en", "Only while logged in")):
        row = BeautifulSoup(render.disclosure_table(noted, lang), "html.parser").select("td")[-1]
        assert row.select_one("a")["href"] == "https://adssettings.google.com/"
        assert row.get_text(" ", strip=True).endswith(note)
        assert render.js_config(noted, lang)["vendors"][0]["optOutNote"] == note
    # Without a note, nothing is added.
    assert "optOutNote" not in render.js_config(model(), "en")["vendors"][0]


def test_opt_out_note_needs_every_language():
    with pytest.raises(registry.RegistryError) as caught:
        registry.parse(NOTED.replace(", en: Only while logged in", ""), "consent.yml")
    assert [str(p) for p in caught.value.problems] == [
        "consent.yml:21: vendors[0].opt_out_note: missing the 'en' translation"
    ]


def test_policy_change_is_shipped_only_when_there_is_one():
    change = {
        "date": datetime.date(2027, 4, 1),
        "url": "/policy/history/2026-11-26..2027-04-01/privacy/",
    }
    plain = render.js_config(model(), "ja")
    assert "change" not in plain and "policyChanged" not in plain["texts"]
    changed = render.js_config(model(), "ja", "/policy/", policy_change=change)
    assert changed["change"] == [
        change["url"],
        "2027年4月1日にプライバシーポリシーを改定しました（変更点を見る）",
    ]
    assert "policyChanged" not in changed["texts"]
    js = render.build_assets(model(), "ja", "/policy/", policy_change=change).js.content.decode()
    assert '"change":["/policy/history/2026-11-26..2027-04-01/privacy/","2027年4月1日に' in js


def test_banner_text_is_shipped_as_sentences_that_join_back_to_it():
    for lang in ("ja", "en"):
        text = model().texts[lang]["banner_text"]
        pieces = render.js_config(model(), lang)["texts"]["bannerText"]
        assert "".join(pieces) == text
        assert len(pieces) >= 2, pieces
    assert render.sentences("一文目。二文目。") == ["一文目。", "二文目。"]
    assert render.sentences("One. Two, Co., Ltd. Three") == ["One. ", "Two, Co., Ltd. ", "Three"]


# --- recipients abroad and the opt-out links' words (issue 18) --------------------------

ABROAD = (
    VALID.replace("revision: 3\n", "revision: 3\nhome_country: JP\n")
    .replace(
        "    operator: {ja: Google LLC, en: Google LLC}\n",
        "    operator: {ja: Google LLC, en: Google LLC}\n    country: US\n",
    )
    .replace(
        "    cookies: [_gcl_au, _ga_*]\n",
        "    cookies: [_gcl_au, _ga_*]\n"
        "  - id: yahoo\n"
        "    category: advertising\n"
        "    service: {ja: Yahoo!広告, en: Yahoo! JAPAN Ads}\n"
        "    operator: {ja: LINEヤフー株式会社, en: LY Corporation}\n"
        "    country: JP\n"
        "    data: {ja: 識別子, en: Identifiers}\n"
        "    purpose: {ja: 広告配信, en: Ad delivery}\n"
        "    opt_out_url: https://btoptout.yahoo.co.jp/optout/index.html\n"
        "    opt_out_language: ja\n"
        "    privacy_url: https://www.lycorp.co.jp/ja/company/privacypolicy/\n"
        "  - id: meta\n"
        "    category: advertising\n"
        "    service: {ja: Meta ピクセル, en: Meta Pixel}\n"
        '    operator: {ja: "Meta Platforms, Inc.", en: "Meta Platforms, Inc."}\n'
        "    country: US\n"
        "    data: {ja: 識別子, en: Identifiers}\n"
        "    purpose: {ja: 広告配信, en: Ad delivery}\n"
        "    opt_out_url: https://www.facebook.com/adpreferences\n"
        "    opt_out_kind: explanation\n"
        "    privacy_url: https://www.facebook.com/privacy/policy/\n",
    )
)


def with_banner(text: str, **banner: str) -> str:
    lines = "".join(f"  {lang}: {{banner_text: {words}}}\n" for lang, words in banner.items())
    return text.replace("revision: 3\n", f"revision: 3\ntexts:\n{lines}")


def test_banner_names_the_recipients_abroad_and_where_they_are():
    # Second, after the sentence that says information goes to third parties: in view on a phone.
    abroad = model(with_banner(ABROAD, en="We send data. You choose.", ja="送信します。選べます。"))
    assert render.banner_text(abroad, "en") == (
        "We send data. Recipients include companies outside Japan "
        "(United States: Google LLC and Meta Platforms, Inc.). You choose."
    )
    assert render.banner_text(abroad, "ja") == (
        "送信します。送信先には、日本国外の事業者が含まれます"
        "（アメリカ合衆国：Google LLC、Meta Platforms, Inc.）。選べます。"
    )
    # The widget shows it sentence by sentence; joined, the sentences are the text.
    shipped = render.js_config(abroad, "en")["texts"]["bannerText"]
    assert "".join(shipped) == render.banner_text(abroad, "en")
    assert shipped[1] == (
        "Recipients include companies outside Japan (United States: Google LLC and Meta "
        "Platforms, Inc.). "
    )
    one = model(with_banner(ABROAD, en="We send data."))
    assert render.banner_text(one, "en") == (
        "We send data. Recipients include companies outside Japan "
        "(United States: Google LLC and Meta Platforms, Inc.)."
    )
    # A registry that does not say where it is names nobody abroad.
    assert render.banner_text(model(), "en") == model().texts["en"]["banner_text"]


def test_table_and_dialog_say_each_recipient_s_country_and_what_its_opt_out_page_is():
    abroad = model(ABROAD)
    soup = BeautifulSoup(render.disclosure_table(abroad, "en"), "html.parser")
    # No column more (it pushed the opt-out links out of sight on a desktop): the recipient's
    # cell says where it is, between its name and its privacy policy.
    headers = [th.get_text() for th in soup.select("thead th")]
    assert headers == [
        "Category",
        "Service",
        "Recipient",
        "Information sent",
        "Purpose of use",
        "Opt out",
    ]
    recipients = {
        row.select_one("th").get_text(): list(row.select("td")[1].stripped_strings)
        for row in soup.select("tbody tr")
    }
    assert recipients == {
        "Google Ads": ["Google LLC", "Country: United States", "Privacy policy"],
        "Yahoo! JAPAN Ads": ["LY Corporation", "Country: Japan", "Privacy policy"],
        "Meta Pixel": ["Meta Platforms, Inc.", "Country: United States", "Privacy policy"],
    }
    links = {
        row.select_one("th").get_text(): row.select("a")[-1].get_text()
        for row in soup.select("tbody tr")
    }
    # A Japanese-only page says so on English pages; an explanation page is not called an opt-out.
    assert links == {
        "Google Ads": "Opt out",
        "Yahoo! JAPAN Ads": "Opt out (in Japanese)",
        "Meta Pixel": "How to opt out",
    }
    ja = BeautifulSoup(render.disclosure_table(abroad, "ja"), "html.parser")
    assert [row.select("a")[-1].get_text() for row in ja.select("tbody tr")] == [
        "オプトアウト",
        "オプトアウト",
        "オプトアウトの方法",
    ]
    assert list(ja.select("tbody tr")[1].select("td")[1].stripped_strings)[1] == "所在国：日本"
    # The dialog gets the same words, ready to show as text.
    vendors = {v["id"]: v for v in render.js_config(abroad, "en")["vendors"]}
    assert vendors["yahoo"]["optOut"] == "Opt out (in Japanese)"
    assert vendors["yahoo"]["country"] == "Country: Japan"
    assert vendors["meta"]["optOut"] == "How to opt out"
    assert vendors["meta"]["country"] == "Country: United States"
    texts = render.js_config(abroad, "en")["texts"]
    built = {"optOut", "recipientsAbroad", "recipientsIn", "pageLanguage", "locatedIn"}
    assert not built & set(texts)
    assert texts["purpose"] == "Purpose of use"


def test_no_country_where_the_registry_says_none():
    soup = BeautifulSoup(render.disclosure_table(model(), "en"), "html.parser")
    assert list(soup.select("tbody td")[1].stripped_strings) == ["Google LLC", "Privacy policy"]
    assert "country" not in render.js_config(model(), "en")["vendors"][0]
