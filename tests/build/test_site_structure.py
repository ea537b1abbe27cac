"""The built site's structure: twins, languages, head links, 404 pages, sitemaps."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(p.relative_to(DOCS / "ja").as_posix() for p in (DOCS / "ja").rglob("*.md"))
SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


def url_path(md: str) -> str:
    """docs/<lang>/privacy.md → privacy/ ; index.md → '' (directory URLs)."""
    stem = md.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"


def test_every_page_has_its_twin():
    ja = {p.relative_to(DOCS / "ja").as_posix() for p in (DOCS / "ja").rglob("*.md")}
    en = {p.relative_to(DOCS / "en").as_posix() for p in (DOCS / "en").rglob("*.md")}
    assert ja, "no Japanese pages found"
    assert ja == en, f"only in ja: {sorted(ja - en)}; only in en: {sorted(en - ja)}"


@pytest.mark.parametrize("md", PAGES)
@pytest.mark.parametrize("lang,prefix", [("ja", ""), ("en", "en/")])
def test_page_head(site, md, lang, prefix):
    path = prefix + url_path(md)
    soup = BeautifulSoup(site.html(path), "html.parser")
    assert soup.html["lang"] == lang
    assert soup.find("link", rel="canonical")["href"] == site.page(path)
    hreflang = {link["hreflang"]: link["href"] for link in soup.find_all("link", hreflang=True)}
    assert hreflang == {
        "ja": site.page(url_path(md)),
        "en": site.page("en/" + url_path(md)),
        "x-default": site.page(url_path(md)),
    }
    assert soup.find("meta", attrs={"name": "description"})["content"].strip()
    time = soup.select_one("time[datetime]")
    assert time is not None and time["datetime"] == "2026-11-26"
    assert time.text == {"ja": "2026年11月26日", "en": "November 26, 2026"}[lang]
    # Nothing on the page may be fetched from another origin before consent.
    for tag, attr in (("link", "href"), ("script", "src"), ("img", "src")):
        for element in soup.find_all(tag, attrs={attr: True}):
            if tag == "link" and element.get("rel") in (["canonical"], ["alternate"]):
                continue
            ref = element[attr]
            assert not ref.startswith(("http:", "https:", "//")) or ref.startswith(site.url), ref


def test_same_date_in_both_languages(site):
    for md in PAGES:
        ja = BeautifulSoup(site.html(url_path(md)), "html.parser").select_one("time")
        en = BeautifulSoup(site.html("en/" + url_path(md)), "html.parser").select_one("time")
        assert ja["datetime"] == en["datetime"], md


@pytest.mark.parametrize(
    "path,lang,heading",
    [("404.html", "ja", "ページが見つかりません"), ("en/404.html", "en", "Page not found")],
)
def test_404_page_per_language(site, path, lang, heading):
    soup = BeautifulSoup((site.root / path).read_text(encoding="utf-8"), "html.parser")
    assert soup.html["lang"] == lang
    assert soup.h1.get_text(strip=True) == heading
    # A 404 is served at any depth: its assets must not be relative.
    for link in soup.find_all("link", rel="stylesheet"):
        assert link["href"].startswith("/"), link


def test_sitemaps_list_alternates_and_policy_dates(site):
    root = ElementTree.parse(site.root / "sitemap.xml").getroot()
    urls = {
        u.findtext("s:loc", namespaces=SITEMAP_NS): u for u in root.findall("s:url", SITEMAP_NS)
    }
    expected = {site.page(prefix + url_path(md)) for md in PAGES for prefix in ("", "en/")}
    # The version history is a page of its own; archived versions are noindex and left out.
    expected |= {site.page(prefix + "history/") for prefix in ("", "en/")}
    assert set(urls) == expected
    for loc, url in urls.items():
        assert url.findtext("s:lastmod", namespaces=SITEMAP_NS) == "2026-11-26"
        langs = {x.get("hreflang") for x in url.findall("x:link", SITEMAP_NS)}
        assert langs == {"ja", "en", "x-default"}, loc
    # Material fetches sitemap.xml next to every alternate link: each must exist and stay in scope.
    for loc in expected:
        scoped = site.root / loc.removeprefix(site.url) / "sitemap.xml"
        assert scoped.is_file(), scoped
        inner = ElementTree.parse(scoped).getroot()
        for u in inner.findall("s:url", SITEMAP_NS):
            assert u.findtext("s:loc", namespaces=SITEMAP_NS).startswith(loc)
    robots = (site.root / "robots.txt").read_text()
    assert f"Sitemap: {site.url}sitemap.xml" in robots


TRANSLATION_NOTICE = (
    "This English version is a translation provided for reference only. If there is any "
    "discrepancy between the Japanese original and this translation, the Japanese original "
    "prevails."
)


def test_every_english_page_says_the_japanese_original_prevails(site):
    english = sorted((site.root / "en").rglob("*.html"))
    assert len(english) >= len(PAGES) + 1, english  # the pages and the 404 page
    for path in english:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        notices = soup.select(".translation-notice")
        assert [n.get_text(" ", strip=True) for n in notices] == [TRANSLATION_NOTICE], path
        # Site chrome, not the translated text: outside the article, so not in the policy body.
        assert notices[0].find_parent("article") is None, path


def test_no_japanese_page_carries_the_notice(site):
    japanese = [p for p in site.root.rglob("*.html") if not p.is_relative_to(site.root / "en")]
    assert japanese
    for path in japanese:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert not soup.select(".translation-notice, .md-banner"), path


def test_skip_link_sits_in_a_labelled_navigation_landmark(site):
    # The consent banner goes first in <body> and links the policy, so the theme's skip link is
    # no longer the page's first link: it needs a landmark of its own (axe's "region" rule).
    labels = {"ja": "スキップリンク", "en": "Skip link"}
    pages = [p for p in site.root.rglob("index.html") if "search" not in p.parts]
    # The theme gives a skip link only to pages with a table of contents (not the history list).
    with_skip = []
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        skip = soup.select_one("a.md-skip")
        if skip is None:
            continue
        with_skip.append(path.relative_to(site.root).as_posix())
        landmark = skip.find_parent(attrs={"role": "navigation"})
        assert landmark is not None, path
        assert landmark["aria-label"] == labels[soup.html["lang"]], path
    assert {"privacy/index.html", "en/privacy/index.html"} <= set(with_skip), with_skip
