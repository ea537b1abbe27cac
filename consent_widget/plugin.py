"""MkDocs plugin: the consent widget's asset on every page, its table on the policy page."""

from __future__ import annotations

import os
from urllib.parse import quote, urlsplit

from jinja2 import pass_context
from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import normalize_url

from . import marker, tags
from . import registry as registry_module
from .config import ConsentConfig
from .render import WidgetAssets, build_assets, disclosure_table, footer_link

log = get_plugin_logger(__name__)

TABLE_MARKER = marker.TABLE_MARKER
# Characters a browser leaves as they are in a URL path (an existing %XX too). `;` is encoded:
# it would end the cookie's path attribute.
URL_PATH_SAFE = "/%!$&'()*+,:=@[]|~"


def cookie_path(site_url: str | None) -> str:
    """The site's path as a browser sends it (`/ポリシー/` → `/%E3%83%9D…/`): a cookie whose path
    is written unencoded never matches the page's path, and the choice would never come back."""
    return quote(urlsplit(site_url or "/").path or "/", safe=URL_PATH_SAFE)


def _ours(path: str) -> bool:
    return path.startswith("assets/consent.") and path.endswith((".js", ".css"))


class ConsentPlugin(BasePlugin[ConsentConfig]):
    def __init__(self) -> None:
        self.registry: registry_module.Registry | None = None
        self.assets: WidgetAssets | None = None
        self.policy_url: str = ""
        self.policy_src: str = ""  # the policy page of the current language (must carry the table)
        self.tables_rendered = 0  # in the current language build
        self.tag_placeholders = ""  # the registry's tags, gated, for every page's <head>
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
        root_path = cookie_path(config.site_url)
        policy = self._policy_file(files, config)
        # The banner's link: a path from the site root, so it works on whatever origin serves it.
        section = f"{root_path}{policy.url}#{self.config.policy_anchor}"
        # Set by the site's policy-versions hook: when the policy last changed, and where to read how.
        change = config.extra.get("policy_change")
        self.assets = build_assets(
            self.registry, lang, root_path, policy_url=section, policy_change=change
        )
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
        self.policy_src = policy.src_uri
        tags_file = tags.tags_asset(self.registry)
        if tags_file is not None:
            files.append(
                File.generated(config, f"assets/{tags_file.name}", content=tags_file.content)
            )
        # An absolute path: 404 pages are served at any depth.
        tags_url = f"{root_path}assets/{tags_file.name}" if tags_file else None
        self.tag_placeholders = tags.placeholders(self.registry, tags_url)
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

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files):
        """Fail on a marker that is not exactly the marker, or none on the policy page: the
        table is legally required, and a near miss would silently show nothing."""
        if not self.config.enabled or page.file.abs_src_path is None:
            return None  # a generated page (policy history): no Markdown an editor wrote
        rel = os.path.relpath(page.file.abs_src_path, os.path.dirname(config.config_file_path))
        required = page.file.src_uri == self.policy_src
        # The file as written, not `markdown` (front matter removed): lines as the editor sees them.
        problems = marker.problems(
            page.file.content_string, rel.replace(os.sep, "/"), required, self.config.policy_anchor
        )
        if problems:
            raise PluginError("\n".join(problems))
        return markdown

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files):
        if not self.config.enabled or not marker.has_marker(html):
            return html
        if (line := marker.swallowed(page.file.content_string)) is not None:
            # Sites with their own page rules say this earlier; others must not publish it.
            raise PluginError(
                f"{page.file.src_uri}:{line}: a comment opened here is not closed before "
                f"{TABLE_MARKER}, so the table and the rest of the page would be hidden: end it with -->"
            )
        table = disclosure_table(self.registry, config.theme.get("language", ""))
        html, count = marker.render(html, table)
        self.tables_rendered += count
        return html

    def on_serve(self, server, config: MkDocsConfig, builder):
        """`make serve` rebuilds when the registry is saved, as it does for the pages."""
        if self.config.enabled:
            server.watch(
                os.path.join(os.path.dirname(config.config_file_path), self.config.registry)
            )
        return server

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """The registry's tags on every page, gated: the widget runs them after opt-in."""
        return self._add_tags(output)

    def on_post_template(self, output: str, template_name: str, config: MkDocsConfig) -> str:
        """The same on pages built from templates alone (the 404 page)."""
        return self._add_tags(output) if template_name.endswith(".html") else output

    def _add_tags(self, html: str) -> str:
        if not self.config.enabled or not self.tag_placeholders or "</head>" not in html:
            return html
        return html.replace("</head>", self.tag_placeholders + "</head>", 1)

    def csp_sources(self) -> dict[str, list[str]]:
        """CSP directive → sources the registry's tags need (the site's `_headers` hook asks)."""
        return tags.csp_sources(self.registry) if self.config.enabled else {}

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.config.enabled:
            lang = config.theme.get("language", "")
            log.info(
                f"[{lang}] {self.assets.js.name} ({len(self.assets.js.content):,} B), "
                f"{len(self.registry.vendors)} vendors, {self.tables_rendered} vendor table(s)"
            )
