"""Site hook: what editors see while building and previewing.

* mkdocs-static-i18n logs each language's whole `extra` on every build ("Updating 'en' config
  'extra' with '{…}'"): a screenful that says nothing to an editor, so it is dropped.
* `make serve`: MkDocs' preview stops answering after a failed rebuild ("The server will
  appear stuck"). Here a failed rebuild is caught instead: the terminal prints the problems
  (MkDocs logs them), and every page of the preview shows them until a save fixes them; the
  page reloads itself after the next build, as the site's pages do. Served as 200: MkDocs logs
  any other status as a warning, and a strict rebuild counts warnings. The theme overrides are
  watched too.
"""

from __future__ import annotations

import logging
from html import escape

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger

log = get_plugin_logger("preview")
I18N_LOGGER = "mkdocs.plugins.mkdocs_static_i18n.reconfigure"
# Lines MkDocs adds around a problem that the problem's own line already says.
ECHOES = ("Error reading page", "Aborted with")


class _DropExtraDump(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "config 'extra' with" not in record.getMessage()


def _quiet_i18n() -> None:
    logger = logging.getLogger(I18N_LOGGER)
    if not any(isinstance(f, _DropExtraDump) for f in logger.filters):
        logger.addFilter(_DropExtraDump())


_quiet_i18n()


class _Problems(logging.Handler):
    """Collects what a build reports as a warning or error, for the browser."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().strip()
        if record.name.startswith("mkdocs.livereload"):
            return  # the preview's own request log, not the build's
        if message and not message.startswith(ECHOES):
            self.messages.append(message)


def on_serve(server, config: MkDocsConfig, builder):
    """Keep the preview answering after a failed rebuild, showing why it failed."""
    failed: list[str] = []  # the problems of the last build; empty when it passed
    build = server.builder
    serve_file = server.get_app()
    # MkDocs' own live-reload snippet and build counter (1.6: both private); if a later
    # MkDocs renames either, the page polls by itself instead.
    inject = getattr(server, "_inject_js_into_html", None)
    live = inject is not None and hasattr(server, "_visible_epoch")

    def guarded_build() -> None:
        problems = _Problems()
        logging.getLogger("mkdocs").addHandler(problems)
        try:
            build()
        except (Exception, SystemExit) as error:  # Abort is a ClickException, or SystemExit
            failed[:] = problems.messages or [str(error)]
            log.error(
                "The preview shows these problems on every page until they are fixed "
                "(it reloads itself after each save)."
            )
        else:
            if failed:
                log.info("The problems are fixed: the preview shows the site again.")
            failed.clear()
        finally:
            logging.getLogger("mkdocs").removeHandler(problems)

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if failed and (path.endswith(("/", ".html")) or "." not in path.rsplit("/", 1)[-1]):
            body = error_page(failed, live=live).encode("utf-8")
            if live:  # reload on the next build, like the site's pages
                body = inject(body, server._visible_epoch)
            start_response(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return serve_file(environ, start_response)

    server.builder = guarded_build
    server.set_app(app)
    if config.theme.custom_dir:
        server.watch(config.theme.custom_dir)
    return server


def error_page(problems: list[str], live: bool = True) -> str:
    items = "".join(f"<li><pre>{escape(p, quote=False)}</pre></li>" for p in problems)
    refresh = "" if live else '<meta http-equiv="refresh" content="2">'
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"{refresh}<title>Preview: the build failed</title>"
        "</head><body><h1>The preview could not be built</h1>"
        "<p>Fix these problems and save the file: this page reloads by itself.</p>"
        f"<ul>{items}</ul></body></html>\n"
    )
