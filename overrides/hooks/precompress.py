"""Site hook: pre-compressed `.br` and `.gz` siblings of every text file, for hosts that serve
them (nginx `gzip_static`/`brotli_static`, Caddy `precompressed`, S3 + CloudFront with
Content-Encoding metadata), at the best ratio, computed once per build instead of per request.

Runs last, once, after every language is built and every other hook has written its files.
Same input, same bytes: gzip's timestamp is fixed and brotli has none.
"""

from __future__ import annotations

import gzip
import os

import brotli
import site_common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority

TEXT = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt")


@event_priority(-1000)  # after everything else, mkdocs-static-i18n's merged builds included
def on_post_build(config: MkDocsConfig) -> None:
    if site_common.i18n(config).building:
        return  # a language built from inside the default language's build: more files follow
    for root, _dirs, names in os.walk(config.site_dir):
        for name in names:
            if name.endswith(TEXT):
                _write_siblings(os.path.join(root, name))


def _write_siblings(path: str) -> None:
    with open(path, "rb") as fh:
        data = fh.read()
    for suffix, packed in (
        (".br", brotli.compress(data, quality=11)),
        (".gz", gzip.compress(data, compresslevel=9, mtime=0)),
    ):
        if len(packed) < len(data):  # else the host sends the file as it is
            with open(path + suffix, "wb") as fh:
                fh.write(packed)
