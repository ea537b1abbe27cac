"""Site hook: the links between a page and its other-language versions.

Search engines want absolute hreflang alternates with an `x-default` (mkdocs-static-i18n emits
relative ones without it): the head gets them from `hreflang_urls`. The language switcher a
visitor clicks stays relative, so it works at any origin (previews, staging, `www` vs apex).
Each page's alternates are also recorded in `site_common.state` for the sitemaps.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import site_common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page


def on_startup(command, dirty) -> None:
    site_common.reset()


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if not config.site_url:
        raise PluginError(
            "mkdocs.yml: 'site_url' must be set: hreflang and sitemaps need absolute URLs."
        )
    if not config.site_url.endswith("/"):
        config.site_url += "/"
    return config


@event_priority(-50)  # after mkdocs-static-i18n (50) has pointed the alternates at this page
def on_page_context(context, page: Page, config: MkDocsConfig, nav):
    roots = site_common.language_roots(config)
    alternates, switcher = {}, {}
    for lang, root in roots.items():
        alt_file = getattr(page.file, "alternates", {}).get(lang)
        alternates[lang] = site_common.abs_url(config, alt_file.url) if alt_file else root
        # Site-relative: Material's `url` filter makes it relative to the page.
        switcher[lang] = alt_file.url if alt_file else root.removeprefix(config.site_url)
    for alt in _theme_alternates(config):
        alt["link"] = switcher.get(alt["lang"], alt["link"]) or "./"

    page_url = site_common.abs_url(config, page.url)
    context["hreflang_urls"] = alternates
    context["x_default_url"] = alternates[site_common.default_lang(config)]
    site_common.state.pages[page_url] = site_common.SitePage(
        url=page_url,
        lastmod=str(page.meta.get("last_updated")),
        alternates=alternates,
        indexed=not page.meta.get("noindex"),
    )
    return context


def on_template_context(context, template_name: str, config: MkDocsConfig):
    """The 404 page switches language to the other language's home.

    It is served at any depth, so its links are absolute paths (no host: any origin works).
    """
    if template_name == "404.html":
        roots = site_common.language_roots(config)
        paths = {lang: urlsplit(root).path for lang, root in roots.items()}
        for alt in _theme_alternates(config):
            alt["link"] = paths.get(alt["lang"], alt["link"])
        context["hreflang_urls"] = roots
        context["x_default_url"] = roots[site_common.default_lang(config)]
        context["language_home_url"] = paths[site_common.current_lang(config)]
    return context


def _theme_alternates(config: MkDocsConfig) -> list[dict]:
    """The list Material's templates will read as `config.extra.alternate`.

    mkdocs-static-i18n assigns it as an attribute on `extra`, which Jinja prefers over the key.
    """
    alternates = getattr(config.extra, "alternate", None)
    return alternates if alternates is not None else config.extra.get("alternate", [])
