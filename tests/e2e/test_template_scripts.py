"""Only the templates' own inline scripts are allowed by the CSP (issue 16).

A script smuggled past the page rules (which refuse <script> in a page's Markdown) is refused
by the browser: here a template prints a value of mkdocs.yml as HTML, as it would a vendor's
snippet pasted there. The build warns (a strict build fails), but even a site built anyway
carries no hash for it: neither in `_headers`, nor in the page's `<meta>` policy, nor in the host
configs, so Chromium and Firefox both refuse it, while the theme's own inline scripts run.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import Site, serve
from tests.project_copy import copy_project

from .conftest import watch_page

pytestmark = pytest.mark.browser

SMUGGLED = "document.documentElement.dataset.smuggled = 'ran'"
PAGES = ["", "en/privacy/"]


@dataclass
class Smuggled:
    with_headers: Site  # `_headers` served (Netlify, Cloudflare): header and meta policy
    meta_only: Site  # a host that ignores `_headers` (GitHub Pages): the meta policy alone
    output: str  # what the build said
    hosting: str  # the host configs (nginx, Caddy, CloudFront), all in one text


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def smuggled(tmp_path_factory) -> Iterator[Smuggled]:
    root = tmp_path_factory.mktemp("smuggled")
    src = copy_project(root / "src")
    edit(
        src / "overrides/main.html",
        "{% block extrahead %}\n  {{ super() }}",
        "{% block extrahead %}\n  {{ super() }}\n  {{ config.extra.head_snippet }}",
    )
    edit(
        src / "mkdocs.yml",
        "\nextra:\n",
        f'\nextra:\n  head_snippet: "<script>{SMUGGLED}</script>"\n',
    )
    docroot, bare = root / "site", root / "bare"
    docroot.mkdir()
    server, url = serve(docroot)
    bare_server, bare_url = serve(bare)
    try:
        # Not strict: the build's warning would stop it (see test_the_build_warns_naming_the_page).
        command = [sys.executable, "-m", "mkdocs", "build", "--no-strict"]
        run = subprocess.run(
            [*command, "--config-file", str(src / "mkdocs.yml"), "--site-dir", str(docroot)],
            env={**os.environ, "SITE_URL": url, "NO_MKDOCS_2_WARNING": "1"},
            cwd=src,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        hosting = root / "site.hosting"
        # The same files at another address, without `_headers` (site_url only shapes links).
        shutil.copytree(docroot, bare, dirs_exist_ok=True)
        (bare / "_headers").unlink()
        yield Smuggled(
            with_headers=Site(root=docroot, url=url),
            meta_only=Site(root=bare, url=bare_url),
            output=run.stdout + run.stderr,
            hosting="\n".join(p.read_text() for p in sorted(hosting.iterdir())),
        )
    finally:
        server.shutdown()
        bare_server.shutdown()


def csp_hash(body: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()


def test_no_policy_allows_the_smuggled_script(smuggled):
    site = smuggled.with_headers
    for path in PAGES:
        assert f"<script>{SMUGGLED}</script>" in site.html(path)  # it is there: the CSP is the wall
    smuggled_hash = csp_hash(SMUGGLED)
    assert smuggled_hash not in (site.root / "_headers").read_text()
    assert smuggled_hash not in smuggled.hosting
    assert "Content-Security-Policy" in smuggled.hosting
    for path in PAGES:
        assert smuggled_hash not in site.html(path)
    # The theme's own inline scripts are still allowed, by hash.
    assert "'sha256-" in (site.root / "_headers").read_text()


def test_the_build_warns_naming_the_page(smuggled):
    assert (
        "en/privacy/index.html: an inline <script> that no template writes "
        f"({SMUGGLED!r}): the site's Content-Security-Policy does not allow it, so browsers "
        "refuse it."
    ) in smuggled.output, smuggled.output


@pytest.mark.parametrize("host", ["with_headers", "meta_only"])
@pytest.mark.parametrize("path", PAGES)
def test_the_browser_refuses_the_smuggled_script_and_runs_the_themes(page, smuggled, host, path):
    site = getattr(smuggled, host)
    watch_page(page, site.url)
    response = page.goto(site.page(path), wait_until="load")
    assert ("content-security-policy" in response.headers) == (host == "with_headers")
    # The theme's inline script ran (it defines Material's storage helpers) ...
    assert page.evaluate("typeof __md_get") == "function"
    # ... the smuggled one did not, and the browser reported why.
    assert page.evaluate("document.documentElement.dataset.smuggled") is None
    violations = page.evaluate("window.__csp")
    assert violations and all(v.startswith("script-src") for v in violations), violations
    assert any(v.endswith(" inline") for v in violations), violations
