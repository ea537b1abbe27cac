"""MkDocs plugin: the consent widget's asset on every page, its table on the policy page."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from jinja2 import pass_context
from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import normalize_url

from . import registry as registry_module
from .config import ConsentConfig
from .render import WidgetAssets, build_assets, disclosure_table, footer_link

log = get_plugin_logger(__name__)

# Where a policy page wants the vendor table. An HTML comment, so without the plugin it shows nothing.
TABLE_MARKER = "<!-- consent:vendors -->"


def _ours(path: str) -> bool:
    return path.startswith("assets/consent.") and path.endswith((".js", ".css"))


class ConsentPlugin(BasePlugin[ConsentConfig]):
    def __init__(self) -> None:
        self.registry: registry_module.Registry | None = None
        self.assets: WidgetAssets | None = None
        self.policy_url: str = ""
        self.tables_rendered = 0  # in the current language build
        self._loaded: tuple[str, int] | None = (
            None  # (path, mtime) of the registry in self.registry
        )

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Load the registry early, so a bad one fails the build before any page is written.

        mkdocs-static-i18n runs this once per language build.
        """
        if not self.config.enabled:
            return None
        path = os.path.join(os.path.dirname(config.config_file_path), self.config.registry)
        stamp = (path, os.stat(path).st_mtime_ns) if os.path.exists(path) else None
        if stamp is not None and stamp == self._loaded:
            return config  # the other language's build: the registry has not changed
        try:
            self.registry = registry_module.load(path)
        except registry_module.RegistryError as error:
            count = len(error.problems)
            raise PluginError(
                f"The consent registry has {count} problem{'s' if count > 1 else ''}:\n{error}"
            ) from None
        self._loaded = stamp
        return config

    @event_priority(-110)  # after mkdocs-static-i18n (-100) has picked this language's files
    def on_files(self, files: Files, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        # One asset per language: the page's language is known only now, after mkdocs-static-i18n.
        lang = config.theme.get("language", "")
        cookie_path = urlsplit(config.site_url or "/").path or "/"
        self.assets = build_assets(self.registry, lang, cookie_path=cookie_path)
        self.tables_rendered = 0
        # Replace, not add: each language build (and each `mkdocs serve` reload) has its own names.
        config.extra_javascript[:] = [s for s in config.extra_javascript if not _ours(str(s))]
        config.extra_css[:] = [s for s in config.extra_css if not _ours(s)]
        script = ExtraScriptValue(f"assets/{self.assets.js.name}")
        script.defer = True
        config.extra_javascript.append(script)
        config.extra_css.append(f"assets/{self.assets.css.name}")
        for asset in (self.assets.js, self.assets.css):
            files.append(File.generated(config, f"assets/{asset.name}", content=asset.content))
        policy = self._policy_file(files, config)
        # Site-relative: each page links it relative to itself, so it works at any origin.
        self.policy_url = f"{policy.url}#{self.config.policy_anchor}"
        return files

    def _policy_file(self, files: Files, config: MkDocsConfig) -> File:
        wanted = self.config.policy_page
        lang = config.theme.get("language", "")
        for candidate in (f"{lang}/{wanted}", wanted):
            found = files.get_file_from_path(candidate)
            if found is not None and found.is_documentation_page():
                return found
        raise PluginError(
            f"consent: policy_page '{wanted}' was not found among the docs "
            f"(mkdocs.yml → plugins → consent → policy_page)."
        )

    def on_env(self, env, config: MkDocsConfig, files: Files):
        """Templates place the footer control with `{{ consent_footer_link(lang) }}`."""
        if self.config.enabled:

            @pass_context
            def consent_footer_link(context, lang: str) -> str:
                # Relative to the page; the 404 page (served at any depth) gets an absolute path.
                href = normalize_url(self.policy_url, context.get("page"), context["base_url"])
                return footer_link(self.registry, lang, href)

            env.globals["consent_footer_link"] = consent_footer_link
        return env

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files):
        if not self.config.enabled or TABLE_MARKER not in html:
            return html
        self.tables_rendered += 1
        table = disclosure_table(self.registry, config.theme.get("language", ""))
        return html.replace(TABLE_MARKER, table)

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.config.enabled:
            lang = config.theme.get("language", "")
            log.info(
                f"[{lang}] {self.assets.js.name} ({len(self.assets.js.content):,} B), "
                f"{len(self.registry.vendors)} vendors, {self.tables_rendered} vendor table(s)"
            )
