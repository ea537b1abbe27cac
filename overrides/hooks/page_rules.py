"""Site hook: what every page must have before it is built, and its date shown per language.

Every page is UTF-8 and exists in every language under the same name; its front
matter has a real `last_updated` date, a title and a description; it carries no code (the
rules of page_source.py, in the words of `make check`).
"""

from __future__ import annotations

import os
from pathlib import Path

import site_common
from babel.dates import format_date
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

from consent_widget import text_files
from policy_site.pages import source as page_source


def on_env(env, config: MkDocsConfig, files):
    env.filters["policy_date"] = policy_date
    return env


def policy_date(value, lang: str) -> str:
    """`2026-11-26` → `2026年11月26日` (ja) / `November 26, 2026` (en)."""
    return format_date(site_common.as_date(value), format="long", locale=lang)


@event_priority(10)  # before mkdocs-static-i18n (-100) keeps only one language's files
def on_files(files, config: MkDocsConfig):
    """Every page is UTF-8 and exists in every language (same name, lower-case): name the file
    before anything else reads it or fails, in the words of `make check` (page_source.py)."""
    languages = [lang.locale for lang in site_common.built_languages(config)]
    root = os.path.dirname(config.config_file_path)
    docs = Path(os.path.relpath(config.docs_dir, root)).as_posix()
    found: dict[str, set[str]] = {lang: set() for lang in languages}
    problems = []
    for file in files.documentation_pages():
        if file.abs_src_path is None:
            continue  # generated: no file an editor saved
        lang, _, name = file.src_uri.partition("/")
        if lang in found and name:
            found[lang].add(name)
        try:
            page_source.read(Path(file.abs_src_path), f"{docs}/{file.src_uri}")
        except text_files.NotUTF8 as error:
            problems.append(str(error))
    problems += page_source.twins(found, {lang: f"{docs}/{lang}" for lang in languages}).problems
    if problems:
        raise PluginError("\n".join(problems))
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
