"""Site hook: one search index per language, so each language's search finds only its pages.

mkdocs-static-i18n merges every language's entries into the one `search/search_index.json`
(36 KB for two languages, downloaded on every first search). After the last language build it
is split: the default language's pages stay in `search/search_index.json`; each other
language's go to `<lang>/search/search_index.json`, their locations relative to that
language's home, with the language's own search settings: its `lang`, and for English a
separator that splits at punctuation, no stemming (Material's queries are prefix searches,
never stemmed) and a hidden field of the words' other forms (search_words.py), so that
"purposes", "purpose" and "advertise" all find "purposes" and "advertising".
Material's search looks for `search/search_index.json` under `base` in the page's config:
`language_base_url` points it at the page's own language home (overrides/main.html).
"""

from __future__ import annotations

import json
import os
import posixpath
import re

import search_words
import site_common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

INDEX = ("search", "search_index.json")


# A table cell's end directly followed by the next tag (the consent plugin's vendor table is
# written without whitespace): Material's search joins such cells into one word.
CELL_END = re.compile(r"</(td|th|tr|caption|thead|tbody)>(?=<)")


@event_priority(-90)  # after the consent plugin has put its vendor table into the page
def on_page_content(html: str, page: Page, config: MkDocsConfig, files) -> str:
    """A line break after each table cell and row: the search index gets "Opt out Advertising
    Yahoo! JAPAN Ads", not "Opt outAdvertisingYahoo!", and a table looks the same."""
    return CELL_END.sub(lambda m: m.group(0) + "\n", html)


def on_page_context(context, page: Page, config: MkDocsConfig, nav):
    home = _prefix(config)
    context["language_base_url"] = get_relative_url(home, page.url) if home else None
    return context


def on_template_context(context, template_name: str, config: MkDocsConfig):
    """The 404 page, served at any depth, has an absolute base: its language's home path."""
    home = _prefix(config)
    if template_name == "404.html" and home:
        context["language_base_url"] = posixpath.join(context["base_url"], home)
    return context


@event_priority(-200)  # after mkdocs-static-i18n (-100) has written the merged index
def on_post_build(config: MkDocsConfig) -> None:
    if site_common.i18n(config).building:
        return  # a language built from inside the default language's build: not the last word
    path = os.path.join(config.site_dir, *INDEX)
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as fh:
        merged = json.load(fh)
    prefixes = {lang.link.strip("/"): lang.locale for lang in site_common.built_languages(config)}
    docs: dict[str, list] = {prefix: [] for prefix in prefixes}
    for doc in merged["docs"]:
        prefix = next((p for p in prefixes if p and doc["location"].startswith(p + "/")), "")
        docs[prefix].append(
            {**doc, "location": doc["location"][len(prefix) + 1 if prefix else 0 :]}
        )
    for prefix, locale in prefixes.items():
        index = {"config": _search_config(merged["config"], locale), "docs": docs[prefix]}
        if search_words.supports(locale):
            for doc in docs[prefix]:
                text = f"{doc.get('title', '')} {doc.get('text', '')}"
                doc[search_words.FIELD] = " ".join(search_words.forms(text, locale))
        target = os.path.join(config.site_dir, *prefix.split("/"), *INDEX) if prefix else path
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as fh:
            json.dump(index, fh, ensure_ascii=False, separators=(",", ":"))


def _search_config(merged: dict, locale: str) -> dict:
    """The index's `config` for one language: its own stemming and word splitting, not the
    default language's (mkdocs.yml's `search.lang: ja` gives every index Japanese settings);
    the hidden `forms` field where the language has one (search_words.py)."""
    config = {**merged, "lang": [locale]}
    if locale in search_words.SEPARATORS:
        config["separator"] = search_words.SEPARATORS[locale]
        config["pipeline"] = search_words.PIPELINES[locale]
    if search_words.supports(locale):
        config["fields"] = {
            **config["fields"],
            search_words.FIELD: {"boost": search_words.FIELD_BOOST},
        }
    return config


def _prefix(config: MkDocsConfig) -> str:
    """The current language's path under the site root: '' (default language) or 'en/'."""
    lang = site_common.current_lang(config)
    link = next(x.link for x in site_common.built_languages(config) if x.locale == lang)
    return link.strip("/") + "/" if link.strip("/") else ""
