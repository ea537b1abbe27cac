"""Shared fixtures: the site is built once per session and served on 127.0.0.1:<random port>;
once more over HTTPS at https://www.example.test:<port>/ for what only a real domain shows."""

from __future__ import annotations

import functools
import os
import ssl
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
import trustme

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from build_site import build  # noqa: E402
from setup_browser import find_system_chromium, find_system_firefox  # noqa: E402

from consent_widget.site_files import header_rules  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"
LANGUAGES = {"ja": "", "en": "en/"}  # language → path prefix under the site root
# Real-looking names, mapped to 127.0.0.1 in the browsers: unlike an IP address, a host with a
# parent domain (cookies on .example.test) on which https makes cookies Secure; and another
# site, for what a browser sends when a visitor arrives from elsewhere (SameSite).
TEST_HOSTS = ("www.example.test", "example.test", "other-site.test")
BROWSERS = ("chromium", "firefox")  # every browser test runs in each, unless marked only_browser


def parse_headers_file(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Rules of a Netlify / Cloudflare Pages `_headers` file: (path pattern, [(name, value)]),
    read as the scan reads them (one parser for both)."""
    return header_rules(text)


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

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        if parsed:
            self.server.requests.append(
                (
                    self.command,
                    self.headers.get("Host", ""),
                    self.path,
                    self.headers.get("Cookie", ""),
                )
            )
        return parsed

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


class SiteServer(ThreadingHTTPServer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # (method, Host, path, Cookie header) of every request: what the browser really sent.
        self.requests: list[tuple[str, str, str, str]] = []

    def handle_error(self, request, client_address):
        # A browser that does not know the test CA drops its first TLS connection: not a fault.
        if not isinstance(sys.exc_info()[1], ssl.SSLError):
            super().handle_error(request, client_address)


@dataclass
class Site:
    root: Path  # the built files
    url: str  # http://127.0.0.1:<port>/
    # What the server received (SiteServer.requests), for tests of what a browser sends.
    requests: list[tuple[str, str, str, str]] = field(default_factory=list)

    def page(self, path: str) -> str:
        return self.url + path.lstrip("/")

    def html(self, path: str) -> str:
        """The built HTML behind a URL path (`en/privacy/` → en/privacy/index.html)."""
        target = self.root / path.lstrip("/")
        if path.endswith("/") or not path:
            target = target / "index.html"
        return target.read_text(encoding="utf-8")


def serve(
    docroot: Path, site_path: str = "/", tls: ssl.SSLContext | None = None, host: str = ""
) -> tuple[SiteServer, str]:
    """Serve `docroot` on 127.0.0.1 (over HTTPS with `tls`); return the server and the site's URL.

    The URL names `host` (default: the IP address) and carries `site_path` percent-encoded, as
    a browser sends it (`/ポリシー/` → `/%E3%83%9D…/`)."""
    handler = functools.partial(SiteHandler, directory=str(docroot), site_path=site_path)
    server = SiteServer(("127.0.0.1", 0), handler)
    if tls:
        # The handshake happens in each connection's own thread, not in the accepting loop.
        server.socket = tls.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ip, port = server.server_address[:2]
    scheme = "https" if tls else "http"
    return server, f"{scheme}://{host or ip}:{port}{quote(site_path)}"


def built_site(tmp_path_factory, site_path: str = "/", **server) -> Iterator[Site]:
    """The real site, built strictly with the test server's address as `site_url`.

    `server`: `tls` and `host` for `serve()`."""
    docroot = tmp_path_factory.mktemp("host")
    out = docroot / site_path.strip("/") if site_path != "/" else docroot
    out.mkdir(parents=True, exist_ok=True)
    # Bind first, so the build knows the origin every absolute link must use.
    server, url = serve(docroot, site_path, **server)
    try:
        # SITE_URL as an operator writes it: `/ポリシー/`, not percent-encoded.
        env = {"SITE_URL": unquote(url)}
        assert build(out, ROOT / "mkdocs.yml", env=env) == 0, "site build failed"
        yield Site(root=out, url=url, requests=server.requests)
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    yield from built_site(tmp_path_factory)


@pytest.fixture(scope="session")
def subpath_site(tmp_path_factory) -> Iterator[Site]:
    """The same site hosted under a sub-path, as at https://example.com/policy/."""
    yield from built_site(tmp_path_factory, "/policy/")


@pytest.fixture(scope="session")
def unicode_subpath_site(tmp_path_factory) -> Iterator[Site]:
    """Hosted under a non-ASCII sub-path (SITE_URL=http://…/ポリシー/), served percent-encoded."""
    yield from built_site(tmp_path_factory, "/ポリシー/")


@pytest.fixture(scope="session")
def https_site(tmp_path_factory) -> Iterator[Site]:
    """The site over HTTPS at https://www.example.test:<port>/ (also answering as example.test),
    with a certificate from a CA made for this session. Contexts must accept it
    (`ignore_https_errors`); the page is then a secure context, so `Secure` cookies are stored."""
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert(*TEST_HOSTS).configure_cert(tls)
    yield from built_site(tmp_path_factory, tls=tls, host=TEST_HOSTS[0])


# --- Playwright --------------------------------------------------------------------


def pytest_configure(config):
    """Browser tests run in Chromium and Firefox unless `--browser` names one."""
    if not config.option.browser:
        config.option.browser = list(BROWSERS)


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.only_browser("chromium")` (for what Firefox cannot do, such as the DevTools
    protocol): the other browser's copy is deselected, not skipped, so skips stay meaningful."""
    keep, drop = [], []
    for item in items:
        only = item.get_closest_marker("only_browser")
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("browser_name") if callspec else None
        (drop if only and name and name != only.args[0] else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, browser_name):
    """Debian's Chromium and Firefox ESR when present (Playwright cannot download its own here);
    the test domains resolve to the test server."""
    args = {**browser_type_launch_args}
    if browser_name == "firefox":
        executable = find_system_firefox()
        if executable:
            # A stock Firefox speaks WebDriver BiDi, not the protocol of Playwright's own build.
            args.update(channel="moz-firefox", executable_path=executable)
        args["firefox_user_prefs"] = {
            **args.get("firefox_user_prefs", {}),
            "network.dns.localDomains": ",".join(TEST_HOSTS),
        }
        return args
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
        "--host-resolver-rules=" + ", ".join(f"MAP {host} 127.0.0.1" for host in TEST_HOSTS),
    ]
    return args


@pytest.fixture(scope="session")
def artifacts(browser_name) -> Path:
    """Where screenshots go: test-artifacts/, and test-artifacts/firefox/ for Firefox's."""
    folder = ARTIFACTS if browser_name == "chromium" else ARTIFACTS / browser_name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
