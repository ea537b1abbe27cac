"""Site hook: one 404 page per language (`404.html` and `en/404.html`).

Every language build writes `/404.html`; the non-default languages' copies move under their
own prefix, and the default language's page is put back at the root.
"""

from __future__ import annotations

import os

import site_common
from mkdocs.config.defaults import MkDocsConfig


def on_post_build(config: MkDocsConfig) -> None:
    site = config.site_dir
    lang, default = site_common.current_lang(config), site_common.default_lang(config)
    not_found = os.path.join(site, "404.html")
    if not os.path.exists(not_found):
        return
    state = site_common.state
    if lang == default:
        with open(not_found, "rb") as fh:
            state.default_404 = fh.read()
        return
    os.makedirs(os.path.join(site, lang), exist_ok=True)
    os.replace(not_found, os.path.join(site, lang, "404.html"))
    if state.default_404 is not None:
        with open(not_found, "wb") as fh:
            fh.write(state.default_404)
