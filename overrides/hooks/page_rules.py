"""Site hook: what every page must have before it is built, and its date shown per language.

Every page exists in every language, and its front matter has a real `last_updated` date, a
title and a description.
"""

from __future__ import annotations

import os
from pathlib import Path

import page_source
import site_common
from babel.dates import format_date
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page


def on_env(env, config: MkDocsConfig, files):
    env.filters["policy_date"] = policy_date
    return env


def policy_date(value, lang: str) -> str:
    """`2026-11-26` → `2026年11月26日` (ja) / `November 26, 2026` (en)."""
    return format_date(site_common.as_date(value), format="long", locale=lang)


@event_priority(10)  # before mkdocs-static-i18n (-100) keeps only one language's files
def on_files(files, config: MkDocsConfig):
    """Every page exists in every language: name the missing file before anything else fails."""
    languages = [lang.locale for lang in site_common.built_languages(config)]
    pages = {
        tuple(f.src_uri.split("/", 1))
        for f in files.documentation_pages()
        if "/" in f.src_uri and f.src_uri.split("/", 1)[0] in languages
    }
    names = {name for _, name in pages}
    missing = [
        f"docs/{lang}/{name}"
        for name in sorted(names)
        for lang in languages
        if (lang, name) not in pages
    ]
    if missing:
        raise PluginError(
            "Missing translation: "
            + ", ".join(missing)
            + ". Every page needs a file of the same name in each language folder."
        )
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files) -> str:
    """Reject a page whose source is not as written (front matter, anchors, comments,
    footnotes): the same rules and words as `make check` (page_source.py)."""
    if page.file.abs_src_path is None:
        return markdown  # a generated page (policy history): no Markdown an editor wrote
    rel = os.path.relpath(page.file.abs_src_path, os.path.dirname(config.config_file_path))
    problems = page_source.problems(page.file.content_string, Path(rel).as_posix())
    if problems:
        raise PluginError("\n".join(problems))
    return markdown
