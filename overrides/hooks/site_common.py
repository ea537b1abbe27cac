"""What the site hooks share (not a hook itself): the languages, and the pages seen so far.

MkDocs puts this folder on `sys.path` while it loads each hook, so the hooks import this
module once and share its `state` across the per-language builds of one `mkdocs build`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError


@dataclass
class SitePage:
    url: str  # absolute
    lastmod: str | None
    alternates: dict[str, str] = field(default_factory=dict)
    indexed: bool = True  # False: `noindex` (archived policy versions), left out of sitemaps


class State:
    """Pages seen so far across the per-language builds of one `mkdocs build`."""

    def __init__(self) -> None:
        self.pages: dict[str, SitePage] = {}
        self.default_404: bytes | None = None
        self.inline_script_hashes: set[str] = set()  # of the templates' inline scripts
        # This build's mark on the templates' <script> tags (security_headers.py).
        self.template_script_mark: str = ""


state = State()


def reset() -> None:
    """Forget pages of an earlier build (`mkdocs serve` rebuilds in one process)."""
    global state
    state = State()


def i18n(config: MkDocsConfig):
    plugin = config.plugins.get("i18n")
    if plugin is None:
        raise PluginError("The site hooks need the mkdocs-static-i18n plugin ('i18n').")
    return plugin


def current_lang(config: MkDocsConfig) -> str:
    return i18n(config).current_language


def default_lang(config: MkDocsConfig) -> str:
    return i18n(config).default_language


def built_languages(config: MkDocsConfig) -> list:
    return [lang for lang in i18n(config).config.languages if lang.build]


def language_roots(config: MkDocsConfig) -> dict[str, str]:
    """Absolute URL of each built language's home, from `site_url` (sub-path safe)."""
    return {
        lang.locale: config.site_url + lang.link.lstrip("/") for lang in built_languages(config)
    }


def other_languages(config: MkDocsConfig) -> list[str]:
    """Path prefixes of the non-default languages (`en`), where their own 404 pages live."""
    return [lang.link.strip("/") for lang in built_languages(config) if not lang.default]


def abs_url(config: MkDocsConfig, url: str) -> str:
    url = "" if url in (".", "./") else url
    return config.site_url + url


def as_date(value) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))
