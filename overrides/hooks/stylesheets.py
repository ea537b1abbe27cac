"""Site hook: the site's own stylesheets (`extra_css`: site.css, the consent widget's) as one
minified, content-hashed file, so a page waits for two stylesheets (Material's and this one)
instead of one per source.

Runs after the consent plugin has added this language's widget stylesheet; the order of
`extra_css` is kept, and with it the cascade.
"""

from __future__ import annotations

import hashlib
import os

import minify
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

# `extra_css` as declared (by mkdocs.yml and the plugins) for the language being built.
declared: list[str] = []


@event_priority(-120)  # after mkdocs-static-i18n (-100) and the consent plugin (-110)
def on_files(files: Files, config: MkDocsConfig) -> Files:
    declared[:] = config.extra_css
    if len(config.extra_css) < 2:
        return files
    texts = []
    for path in config.extra_css:
        source = files.get_file_from_path(path)
        on_disk = os.path.join(config.docs_dir, path)
        if source is not None:
            texts.append(source.content_string)
            files.remove(source)
        elif os.path.isfile(on_disk):  # a shared asset mkdocs-static-i18n copies only once
            with open(on_disk, encoding="utf-8") as fh:
                texts.append(fh.read())
        else:
            raise PluginError(f"mkdocs.yml: extra_css '{path}' is not a file of the site.")
    css = minify.string("text/css", "\n".join(texts))
    digest = hashlib.sha256(css.encode("utf-8")).hexdigest()[:10]
    name = f"assets/site.{digest}.css"
    files.append(File.generated(config, name, content=css))
    config.extra_css[:] = [name]
    return files


def on_post_build(config: MkDocsConfig) -> None:
    """Give the next language build (run from mkdocs-static-i18n's own on_post_build, at -100)
    the stylesheets as declared, not this build's bundle."""
    if declared:
        config.extra_css[:] = declared
