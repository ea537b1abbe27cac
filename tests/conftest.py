"""Shared fixtures: the site is built once per session and served on 127.0.0.1:<random port>."""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from build_site import build  # noqa: E402
from setup_browser import find_system_chromium  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"
LANGUAGES = {"ja": "", "en": "en/"}  # language → path prefix under the site root


def parse_headers_file(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Rules of a Netlify / Cloudflare Pages `_headers` file: (path pattern, [(name, value)])."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
        else:
            name, _, value = line.strip().partition(":")
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def headers_for(rules, path: str) -> list[tuple[str, str]]:
    matched = []
    for pattern, headers in rules:
        if pattern == path or (pattern.endswith("*") and path.startswith(pattern[:-1])):
            matched += headers
    return matched


class SiteHandler(SimpleHTTPRequestHandler):
    """A static host as a CDN would be: files as they are, each language's own 404 page, and
    the headers of the site's own `_headers` file (so CSP and caching are tested as deployed).

    `directory` is the host's document root; the site sits at `site_path` below it
    (`/`, or e.g. `/policy/` when hosted under a sub-path)."""

    def __init__(self, *args, site_path: str = "/", **kwargs):
        self.site_path = site_path
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # keep test output readable
        pass

    # Pre-compressed siblings the build writes, in the order a CDN prefers them.
    ENCODINGS = (("br", ".br"), ("gzip", ".gz"))

    def send_head(self):
        """Serve `file.br` / `file.gz` for `file` when the browser accepts it, as a CDN does."""
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?")[0].endswith("/"):
            path = os.path.join(path, "index.html")
        accepted = {
            part.split(";")[0].strip()
            for part in self.headers.get("Accept-Encoding", "").split(",")
        }
        self.vary = any(os.path.isfile(path + suffix) for _, suffix in self.ENCODINGS)
        for encoding, suffix in self.ENCODINGS:
            if encoding in accepted and os.path.isfile(path + suffix):
                body = open(path + suffix, "rb")  # noqa: SIM115 (the caller closes it)
                self.send_response(200)
                self.send_header("Content-Type", self.guess_type(path))
                self.send_header("Content-Encoding", encoding)
                self.send_header("Content-Length", str(os.fstat(body.fileno()).st_size))
                self.end_headers()
                return body
        return super().send_head()

    def end_headers(self):
        if getattr(self, "vary", False):
            self.send_header("Vary", "Accept-Encoding")
        rules_file = Path(self.directory) / self.site_path.lstrip("/") / "_headers"
        if rules_file.exists():
            path = self.path.split("?")[0].split("#")[0]
            for name, value in headers_for(parse_headers_file(rules_file.read_text()), path):
                self.send_header(name, value)
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        english = self.path.startswith(self.site_path + "en/")
        not_found = self.site_path + ("en/404.html" if english else "404.html")
        body = (Path(self.directory) / not_found.lstrip("/")).read_bytes()
        self.send_response(404)
        self.path = not_found  # so the 404 page gets its own headers (CSP, short caching)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@dataclass
class Site:
    root: Path  # the built files
    url: str  # http://127.0.0.1:<port>/

    def page(self, path: str) -> str:
        return self.url + path.lstrip("/")

    def html(self, path: str) -> str:
        """The built HTML behind a URL path (`en/privacy/` → en/privacy/index.html)."""
        target = self.root / path.lstrip("/")
        if path.endswith("/") or not path:
            target = target / "index.html"
        return target.read_text(encoding="utf-8")


def serve(docroot: Path, site_path: str = "/") -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(SiteHandler, directory=str(docroot), site_path=site_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host}:{port}{site_path}"


def built_site(tmp_path_factory, site_path: str = "/") -> Iterator[Site]:
    """The real site, built strictly with the test server's address as `site_url`."""
    docroot = tmp_path_factory.mktemp("host")
    out = docroot / site_path.strip("/") if site_path != "/" else docroot
    out.mkdir(parents=True, exist_ok=True)
    # Bind first, so the build knows the origin every absolute link must use.
    server, url = serve(docroot, site_path)
    try:
        assert build(out, ROOT / "mkdocs.yml", env={"SITE_URL": url}) == 0, "site build failed"
        yield Site(root=out, url=url)
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    yield from built_site(tmp_path_factory)


@pytest.fixture(scope="session")
def subpath_site(tmp_path_factory) -> Iterator[Site]:
    """The same site hosted under a sub-path, as at https://example.com/policy/."""
    yield from built_site(tmp_path_factory, "/policy/")


# --- Playwright --------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium when present (Playwright cannot download its own here)."""
    args = {**browser_type_launch_args}
    executable = find_system_chromium()
    if executable:
        args["executable_path"] = executable
    args["args"] = [
        *args.get("args", []),
        "--disable-gpu",
        "--disable-dev-shm-usage",
        # No calls home: the tests assert that nothing leaves the test server.
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ]
    return args


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
