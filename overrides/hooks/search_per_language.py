"""Site hook: one search index per language, so each language's search finds only its pages.

mkdocs-static-i18n merges every language's entries into the one `search/search_index.json`
(36 KB for two languages, downloaded on every first search). After the last language build it
is split: the default language's pages stay in `search/search_index.json`; each other
language's go to `<lang>/search/search_index.json`, their locations relative to that
language's home and its `lang` set to the language (English words get English stemming).
Material's search looks for `search/search_index.json` under `base` in the page's config:
`language_base_url` points it at the page's own language home (overrides/main.html).
"""

from __future__ import annotations

import json
import os
import posixpath

import site_common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

INDEX = ("search", "search_index.json")


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
        index = {"config": {**merged["config"], "lang": [locale]}, "docs": docs[prefix]}
        target = os.path.join(config.site_dir, *prefix.split("/"), *INDEX) if prefix else path
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as fh:
            json.dump(index, fh, ensure_ascii=False, separators=(",", ":"))


def _prefix(config: MkDocsConfig) -> str:
    """The current language's path under the site root: '' (default language) or 'en/'."""
    lang = site_common.current_lang(config)
    link = next(x.link for x in site_common.built_languages(config) if x.locale == lang)
    return link.strip("/") + "/" if link.strip("/") else ""
