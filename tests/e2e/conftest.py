"""Browser fixtures: every page load is watched for foreign requests and console errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

# (URL path, language) of every page the site publishes.
PAGES = [
    ("", "ja"),
    ("privacy/", "ja"),
    ("en/", "en"),
    ("en/privacy/", "en"),
]


@dataclass
class PageWatch:
    """What a visitor's browser did: requests outside the site, errors, failed responses."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # A document the test asks for knowing it is missing (the 404 pages): its own 404 is no error.
    expected_missing: set[str] = field(default_factory=set)

    def attach(self, page) -> None:
        page.add_init_script(
            "window.__csp = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        self.page = page
        page.on("request", self._on_request)
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("response", self._on_response)

    def _on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}/" != self.origin:
            self.foreign.append(request.url)

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        if msg.location.get("url") in self.expected_missing and "404" in msg.text:
            return
        self.errors.append(f"{msg.text} ({msg.location.get('url')})")

    def _on_page_error(self, exc) -> None:
        # Firefox reports a fetch cut short by the visitor leaving the page (Material's sitemap
        # lookup) as an uncaught error; Chromium says nothing. Not the page's fault.
        if str(exc) != "NS_BINDING_ABORTED":
            self.errors.append(f"uncaught: {exc}")

    def _on_response(self, response) -> None:
        if response.status >= 400 and not response.request.is_navigation_request():
            self.failed.append(f"{response.status} {response.url}")

    def assert_clean(self) -> None:
        violations = self.page.evaluate("window.__csp || []")
        assert not violations, f"Content-Security-Policy violations: {violations}"
        assert not self.foreign, f"requests left the site: {self.foreign}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.errors, f"console errors: {self.errors}"


def watch_page(page, site_url: str) -> PageWatch:
    """Watch a page that may only talk to the site at `site_url`."""
    # Block anything else too, so a leak fails fast instead of hanging on the closed network.
    page.route(
        "**/*",
        lambda route: route.fallback() if route.request.url.startswith(site_url) else route.abort(),
    )
    parts = urlsplit(site_url)
    watch = PageWatch(origin=f"{parts.scheme}://{parts.netloc}/")
    watch.attach(page)
    return watch


@pytest.fixture
def watch(page, site) -> PageWatch:
    return watch_page(page, site.url)


def _scripts_forbidden(route) -> None:
    """The document as served, with a CSP that lets no script run: neither the theme's inline
    ones nor any file (the site's own CSP still applies on top)."""
    if route.request.resource_type != "document":
        route.fallback()
        return
    response = route.fetch()
    route.fulfill(
        response=response,
        headers={**response.headers, "content-security-policy": "script-src 'none'"},
    )


@pytest.fixture
def no_script_page(browser_name, new_context):
    """A page in which no script of the site runs, as for a visitor without JavaScript.

    Firefox over WebDriver BiDi ignores `java_script_enabled=False`, and with its
    `javascript.enabled` preference off Playwright's own waiting stops working: there, every
    document arrives with `script-src 'none'` instead. (No `<noscript>` on the site to miss.)"""
    if browser_name != "firefox":
        return new_context(java_script_enabled=False).new_page()
    context = new_context()
    context.route("**/*", _scripts_forbidden)
    return context.new_page()
