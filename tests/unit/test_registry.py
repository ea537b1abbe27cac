"""The registry: every kind of editor mistake gets a precise, plain message (file:line: key: what)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from consent_widget import registry

ROOT = Path(__file__).resolve().parents[2]

VALID = """\
revision: 3
languages: [ja, en]
categories:
  - id: necessary
    required: true
    title: {ja: 必須, en: Necessary}
    description: {ja: 記録, en: The record}
  - id: advertising
    gpc_opt_out: true
    title: {ja: 広告, en: Advertising}
    description: {ja: 広告です, en: Ads}
vendors:
  - id: google-ads
    category: advertising
    service: {ja: Google 広告, en: Google Ads}
    operator: {ja: Google LLC, en: Google LLC}
    data: {ja: 識別子, en: Identifiers}
    purpose: {ja: 広告配信, en: Ad delivery}
    opt_out_url: https://adssettings.google.com/
    privacy_url: https://policies.google.com/privacy
    cookies: [_gcl_au, _ga_*]
"""


def problems(text: str) -> list[str]:
    with pytest.raises(registry.RegistryError) as caught:
        registry.parse(text, "consent.yml")
    return [str(p) for p in caught.value.problems]


def edit(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def test_valid_registry_becomes_a_model():
    model = registry.parse(VALID, "consent.yml")
    assert model.revision == 3
    assert model.cookie_name == "consent" and model.max_age_days == 182
    assert [c.id for c in model.categories] == ["necessary", "advertising"]
    assert model.categories[0].default is True  # required means always on
    assert model.category("advertising").gpc_opt_out is True
    assert model.vendors_of("advertising")[0].cookies == ("_gcl_au", "_ga_*")
    assert model.texts["ja"]["accept_all"] == "すべて許可"


def test_shipped_registry_is_valid():
    model = registry.load(ROOT / "consent.yml")
    assert model.vendors, "the shipped registry lists no vendors"


@pytest.mark.parametrize(
    "old,new,expected",
    [
        (
            "    title: {ja: 広告, en: Advertising}",
            "    title: {ja: 広告}",
            "consent.yml:10: categories[1].title: missing the 'en' translation",
        ),
        (
            "    category: advertising",
            "    category: advertsing",
            "consent.yml:14: vendors[0].category: unknown category 'advertsing' (did you mean 'advertising'?)",
        ),
        (
            "  - id: advertising",
            "  - id: necessary",
            "consent.yml:8: categories[1].id: id 'necessary' is already used by the category at line 4: give each category its own id",
        ),
        (
            "    gpc_opt_out: true",
            "    gpc_optout: true",
            "consent.yml:9: categories[1].gpc_optout: unknown key 'gpc_optout' (did you mean 'gpc_opt_out'?)",
        ),
        (
            "opt_out_url: https://adssettings.google.com/",
            "opt_out_url: javascript:alert(1)",
            "consent.yml:19: vendors[0].opt_out_url: must be a web address starting with https://; "
            "found 'javascript:alert(1)'",
        ),
        (
            "opt_out_url: https://adssettings.google.com/",
            "opt_out_url: data:text/html,hi",
            "consent.yml:19: vendors[0].opt_out_url: must be a web address starting with https://; "
            "found 'data:text/html,hi'",
        ),
        (
            "privacy_url: https://policies.google.com/privacy",
            "privacy_url: http://policies.google.com/privacy",
            "consent.yml:20: vendors[0].privacy_url: must be a web address starting with https://; "
            "found 'http://policies.google.com/privacy'",
        ),
        (
            "purpose: {ja: 広告配信, en: Ad delivery}",
            'purpose: {ja: "  ", en: Ad delivery}',
            "consent.yml:18: vendors[0].purpose.ja: must not be empty",
        ),
        (
            "    data: {ja: 識別子, en: Identifiers}\n",
            "",
            "consent.yml:13: vendors[0]: missing 'data'",
        ),
        (
            "revision: 3",
            "revision: three",
            "consent.yml:1: revision: must be a whole number; found 'three'",
        ),
        (
            "    required: true\n",
            "",
            "consent.yml:3: categories: needs one category with `required: true` (the consent record itself)",
        ),
    ],
)
def test_bad_registry_is_explained(old, new, expected):
    assert expected in problems(edit(old, new))


def test_empty_value_is_called_empty():
    found = problems(
        edit("    purpose: {ja: 広告配信, en: Ad delivery}", "    purpose: {ja: 広告配信, en: }")
    )
    assert "consent.yml:18: vendors[0].purpose.en: is empty: fill it in, or remove the key" in found


def test_every_problem_is_reported_at_once():
    text = edit("revision: 3", "revision: 0").replace("https://adssettings", "http://adssettings")
    found = problems(text)
    assert len(found) == 2, found


def test_duplicate_key_is_named_with_its_line():
    text = edit("    cookies: [_gcl_au, _ga_*]", "    cookies: [_gcl_au]\n    cookies: [_ga]")
    assert "consent.yml:22: vendors[0].cookies: this key appears twice; keep one" in problems(text)


def test_broken_yaml_names_the_line():
    found = problems(
        edit("    title: {ja: 広告, en: Advertising}", "    title: {ja: 広告, en: Advertising")
    )
    assert found == ["consent.yml:10: the { opened on this line is not closed: add }"]


def test_missing_file_is_reported_without_traceback(tmp_path):
    with pytest.raises(registry.RegistryError, match=r"nope\.yml: file not found"):
        registry.load(tmp_path / "nope.yml")


def test_unknown_interface_word_override():
    text = VALID + "texts:\n  ja:\n    acept_all: 同意する\n"
    assert (
        "consent.yml:24: texts.ja.acept_all: unknown key 'acept_all' (did you mean 'accept_all'?)"
        in problems(text)
    )


def test_new_language_must_bring_all_interface_words():
    text = VALID.replace("[ja, en]", "[ja, en, fr]")
    assert any("texts.fr: missing interface words: banner_title" in p for p in problems(text))


def test_schema_file_is_a_valid_json_schema_that_accepts_the_shipped_registry():
    schema = json.loads((ROOT / "consent_widget" / "schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    data = yaml.safe_load((ROOT / "consent.yml").read_text())
    assert not list(Draft202012Validator(schema).iter_errors(data))
    header = (ROOT / "consent.yml").read_text().splitlines()[0]
    assert header == "# yaml-language-server: $schema=consent_widget/schema.json"


# --- a vendor page per language ------------------------------------------------------

PER_LANGUAGE = edit(
    "    opt_out_url: https://adssettings.google.com/\n",
    "    opt_out_url:\n"
    "      ja: https://myadcenter.google.com/?hl=ja\n"
    "      en: https://myadcenter.google.com/?hl=en\n",
)


def test_vendor_url_is_one_for_all_languages_or_one_per_language():
    vendor = registry.parse(PER_LANGUAGE, "consent.yml").vendors[0]
    assert vendor.opt_out_url == {
        "ja": "https://myadcenter.google.com/?hl=ja",
        "en": "https://myadcenter.google.com/?hl=en",
    }
    # A plain address serves every language.
    assert vendor.privacy_url == {
        "ja": "https://policies.google.com/privacy",
        "en": "https://policies.google.com/privacy",
    }


@pytest.mark.parametrize(
    "old,new,expected",
    [
        (
            "      en: https://myadcenter.google.com/?hl=en\n",
            "",
            "consent.yml:19: vendors[0].opt_out_url: missing the 'en' address "
            "(give one per language, or one address for all)",
        ),
        (
            "en: https://myadcenter.google.com/?hl=en",
            "en: http://myadcenter.google.com/?hl=en",
            "consent.yml:21: vendors[0].opt_out_url.en: must be a web address starting with "
            "https://; found 'http://myadcenter.google.com/?hl=en'",
        ),
        (
            "en: https://myadcenter.google.com/?hl=en",
            "en: https://myadcenter.google.com/?hl=en\n      fr: https://myadcenter.google.com/",
            "consent.yml:22: vendors[0].opt_out_url.fr: 'fr' is not one of the languages (ja, en)",
        ),
        (
            "en: https://myadcenter.google.com/?hl=en",
            "EN: https://myadcenter.google.com/?hl=en",
            "consent.yml:21: vendors[0].opt_out_url.EN: must be a two-letter language code such "
            "as ja or en; found 'EN'",
        ),
        (
            "    opt_out_url:\n      ja: https://myadcenter.google.com/?hl=ja\n"
            "      en: https://myadcenter.google.com/?hl=en\n",
            "    opt_out_url: 42\n",
            "consent.yml:19: vendors[0].opt_out_url: must be a web address starting with "
            "https://, or one per language ({ja: …, en: …}); found 42",
        ),
    ],
)
def test_bad_per_language_url_is_explained(old, new, expected):
    assert old in PER_LANGUAGE, old
    found = problems(PER_LANGUAGE.replace(old, new, 1))
    assert expected in found, found


# --- where the recipients are, and what their opt-out pages are (issue 18) ------------

PLACED = VALID.replace("revision: 3\n", "revision: 3\nhome_country: JP\n").replace(
    "    operator: {ja: Google LLC, en: Google LLC}\n",
    "    operator: {ja: Google LLC, en: Google LLC}\n    country: US\n",
)


def test_countries_and_opt_out_page_kinds_become_the_model():
    text = PLACED.replace(
        "    privacy_url:",
        "    opt_out_language: ja\n    opt_out_kind: explanation\n    privacy_url:",
    )
    model = registry.parse(text, "consent.yml")
    vendor = model.vendors[0]
    assert model.home_country == "JP" and vendor.country == "US"
    assert (vendor.opt_out_language, vendor.opt_out_kind) == ("ja", "explanation")
    assert model.vendors_abroad() == (vendor,)
    # Without them: no country, an opt-out page in the visitor's language, nobody abroad.
    plain = registry.parse(VALID, "consent.yml")
    assert plain.vendors[0].opt_out_kind == "opt-out" and plain.vendors_abroad() == ()


@pytest.mark.parametrize(
    "old,new,expected",
    [
        (
            "    country: US\n",
            "    country: us\n",
            "consent.yml:18: vendors[0].country: must be a two-letter country code in capitals, "
            "such as US or JP; found 'us'",
        ),
        (
            "    country: US\n",
            "    country: UK\n",
            "consent.yml:18: vendors[0].country: unknown country code 'UK': give the two-letter "
            "ISO 3166 code, e.g. US or JP",
        ),
        (
            "home_country: JP\n",
            "home_country: ZZ\n",
            "consent.yml:2: home_country: unknown country code 'ZZ': give the two-letter ISO 3166 "
            "code, e.g. US or JP",
        ),
        (
            "    country: US\n",
            "",
            "consent.yml:14: vendors[0]: missing 'country' (where Google LLC is, e.g. US): "
            "`home_country` is set, so the table shows every recipient's country and the banner "
            "names those outside JP",
        ),
        (
            "    cookies:",
            "    opt_out_language: xx\n    cookies:",
            "consent.yml:23: vendors[0].opt_out_language: unknown language code 'xx': give the "
            "two-letter ISO 639 code, e.g. ja or en",
        ),
        (
            "    cookies:",
            "    opt_out_kind: guide\n    cookies:",
            "consent.yml:23: vendors[0].opt_out_kind: must be one of opt-out, explanation; found "
            "'guide'",
        ),
    ],
)
def test_bad_places_and_opt_out_pages_are_explained(old, new, expected):
    assert old in PLACED, old
    assert expected in problems(PLACED.replace(old, new, 1))


def test_the_choice_s_lifetime_is_said_from_the_cookie_setting():
    text = VALID.replace(
        "description: {ja: 記録, en: The record}",
        "description: {ja: '{max_age_days}日間', en: 'Kept {max_age_days} days'}",
    )
    assert registry.parse(text).category("necessary").description == {
        "ja": "182日間",
        "en": "Kept 182 days",
    }
    shorter = text.replace("revision: 3\n", "revision: 3\ncookie: {max_age_days: 90}\n")
    assert registry.parse(shorter).category("necessary").description["en"] == "Kept 90 days"


def test_shipped_necessary_category_says_what_the_record_holds_and_how_long():
    """The one necessary item is the consent cookie: it says so, and its lifetime is the
    cookie's (it claimed to be needed "to show this site")."""
    model = registry.load(ROOT / "consent.yml")
    necessary = next(c for c in model.categories if c.required)
    assert f"{model.max_age_days}日間" in necessary.description["ja"]
    assert f"{model.max_age_days} days" in necessary.description["en"]
    assert "表示" not in necessary.description["ja"] and "show" not in necessary.description["en"]
    assert all(
        model.texts[lang]["footer_link"] == model.texts[lang]["dialog_title"]
        for lang in model.languages
    )


def test_a_language_without_words_for_countries_is_named():
    assert (
        "consent.yml:2: languages[1]: 'zz' is not a language code Babel knows (e.g. ja, en, fr)"
        in (problems(VALID.replace("[ja, en]", "[ja, zz]")))
    )
