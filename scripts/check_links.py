"""Links in the policy pages and the consent registry.

    python scripts/check_links.py            # offline: https only, internal targets exist
    python scripts/check_links.py --online   # also: every external page still answers

Internal links must point at an existing page and an existing anchor of it (the strict build
checks the same; this says it in the editor's words, with the line). External links must use
https: (a deliberate exception goes in docs/translation-exceptions.yml with check: https).
"""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from checklib import (
    DOCS,
    ROOT,
    Exceptions,
    Page,
    finish,
    internal_link_problems,
    page_files,
    read_page,
    unreadable_page,
)

from consent_widget import registry as registry_module
from consent_widget import text_files

LANGS = ("ja", "en")
USER_AGENT = "policy-site-link-check/1 (+make check-online)"


def read_pages(docs: Path) -> dict[Path, Page]:
    """Every page by the path its links name: a file whose name differs from its twin's only
    in letter case stands at its twin's name (the rename is the translation check's to report,
    not every link to it)."""
    files = page_files(docs)
    pages = {}
    for lang in LANGS:
        for path in (docs / lang).rglob("*.md"):
            name = files.name(lang, path.relative_to(docs / lang).as_posix())
            try:
                page = read_page(path, name)
            except text_files.NotUTF8 as error:
                page = unreadable_page(path, name, error)
            pages[page.address] = page
    return pages


def check_page(page: Page, pages: dict[Path, Page], exceptions: Exceptions) -> list[str]:
    problems = []
    name = page.name
    for href, line, _ in page.links:
        scheme = urlsplit(href).scheme.lower()
        where = f"{page.rel}:{line}"
        if scheme == "http":
            if not exceptions.allows(name, "https", href):
                problems.append(f"{where}: {href} is not secure: use https://")
        elif scheme in ("data", "file"):  # javascript: is a page-source problem (page_source.py)
            problems.append(f"{where}: {scheme}: links are not allowed ({href[:40]})")
        elif not scheme and not href.startswith(("mailto:", "tel:")):
            problems += internal_link_problems(page, href, where, pages)
    return problems


def external_urls(pages: dict[Path, Page]) -> dict[str, str]:
    """Every external address → where it is used (first place)."""
    urls: dict[str, str] = {}
    for page in pages.values():
        for href, line, _ in page.links:
            if urlsplit(href).scheme in ("http", "https"):
                urls.setdefault(href, f"{page.rel}:{line}")
    model = registry_module.load(ROOT / "consent.yml")
    for vendor in model.vendors:
        for key in ("opt_out_url", "privacy_url"):
            for lang, url in getattr(vendor, key).items():
                urls.setdefault(url, f"consent.yml: {vendor.id}.{key} ({lang})")
    return urls


def probe(url: str) -> str | None:
    """None if the page answers, else what went wrong."""
    for method in ("HEAD", "GET"):  # some servers refuse HEAD
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                if response.status < 400:
                    return None
        except urllib.error.HTTPError as error:
            if method == "GET" or error.code not in (403, 405, 501):
                return f"answers {error.code}"
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            return f"does not answer ({getattr(error, 'reason', error)})"
    return "does not answer"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--online", action="store_true", help="also fetch every external page")
    args = parser.parse_args(argv)
    exceptions = Exceptions()
    pages = read_pages(DOCS)
    problems = list(exceptions.problems)
    for page in pages.values():
        if not page.readable:
            problems += page.source_problems
        problems += check_page(page, pages, exceptions)
    problems += exceptions.unused({"https"})
    if args.online:
        urls = external_urls(pages)
        with ThreadPoolExecutor(max_workers=8) as pool:
            for (url, where), result in zip(urls.items(), pool.map(probe, urls), strict=True):
                if result:
                    problems.append(f"{where}: {url} {result}")
        print(f"checked {len(urls)} external pages")
    return finish("links", problems)


if __name__ == "__main__":
    sys.exit(main())
