"""A built site served to the scan's browser from its folder, at the address it was built for.

The browser asks for `https://example.com/…` as a visitor would; the scan answers from the
files (Playwright request interception), with the headers of the site's own `_headers` file
(Netlify / Cloudflare Pages format), so the scan sees the pages, the origin, the cookies and
the CSP as deployed. Nothing reaches the real host.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit


def header_rules(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """`_headers`: a path pattern on its own line, then its indented `Name: value` lines."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
        elif rules:
            name, _, value = line.strip().partition(":")
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def headers_for(rules, path: str) -> dict[str, str]:
    return {
        name: value
        for pattern, headers in rules
        if pattern == path or (pattern.endswith("*") and path.startswith(pattern[:-1]))
        for name, value in headers
    }


class SiteFiles:
    """Answers the browser's requests below `root_url` from `site_dir`, as a static CDN would."""

    def __init__(self, site_dir: Path, root_url: str):
        self.site_dir = site_dir.resolve()
        self.root_url = root_url
        self.base_path = urlsplit(root_url).path
        headers_file = site_dir / "_headers"
        self.rules = header_rules(headers_file.read_text("utf-8")) if headers_file.exists() else []

    def file_for(self, path: str) -> Path | None:
        rel = unquote(path[len(self.base_path) :]) if path.startswith(self.base_path) else None
        if rel is None:
            return None
        target = (self.site_dir / rel).resolve()
        if target.is_dir():
            target = target / "index.html"
        inside = target.is_relative_to(self.site_dir)
        return target if inside and target.is_file() else None

    def not_found(self, path: str) -> Path | None:
        """The nearest `404.html` up the path (the language's own), as Cloudflare Pages does."""
        rel = path[len(self.base_path) :] if path.startswith(self.base_path) else ""
        parts = [p for p in rel.split("/")[:-1] if p]
        for depth in range(len(parts), -1, -1):
            candidate = self.site_dir.joinpath(*parts[:depth], "404.html")
            if candidate.is_file():
                return candidate
        return None

    def answer(self, route) -> None:
        path = urlsplit(route.request.url).path
        found = self.file_for(path)
        status = 200 if found else 404
        body_file = found or self.not_found(path)
        kind = mimetypes.guess_type(body_file.name)[0] if body_file else None
        headers = headers_for(self.rules, path)
        headers["Content-Type"] = kind or "text/html; charset=utf-8"
        if kind and kind.startswith("text/"):
            headers["Content-Type"] += "; charset=utf-8"
        body = body_file.read_bytes() if body_file else b"not found"
        route.fulfill(status=status, headers=headers, body=body)
