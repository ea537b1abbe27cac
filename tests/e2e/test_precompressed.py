"""Pre-compressed siblings (`.br`, `.gz`) of the site's text files, served as a CDN serves them."""

from __future__ import annotations

import gzip
import urllib.request

import brotli
import pytest

TEXT = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt")


def test_every_text_file_has_compressed_siblings_with_the_same_bytes(site):
    built = [p for p in site.root.rglob("*") if "_fixtures" not in p.parts]  # not other tests'
    files = [p for p in built if p.suffix in TEXT and p.is_file()]
    assert len(files) > 20
    for path in files:
        data = path.read_bytes()
        br, gz = path.with_name(path.name + ".br"), path.with_name(path.name + ".gz")
        if len(data) < 200:  # too small to gain: the host sends such a file as it is
            continue
        assert brotli.decompress(br.read_bytes()) == data, br
        assert gzip.decompress(gz.read_bytes()) == data, gz
        assert gz.read_bytes()[4:8] == b"\0\0\0\0", f"{gz}: a timestamp makes builds differ"
        assert len(br.read_bytes()) < len(data) and len(gz.read_bytes()) < len(data)


@pytest.mark.parametrize("accept,encoding", [("br, gzip", "br"), ("gzip", "gzip"), ("", None)])
def test_server_sends_what_the_browser_accepts(site, accept, encoding):
    request = urllib.request.Request(site.page("en/privacy/"), headers={"Accept-Encoding": accept})
    with urllib.request.urlopen(request) as response:
        body = response.read()
        assert response.headers.get("Content-Encoding") == encoding
        assert response.headers.get("Vary") == "Accept-Encoding"
        assert response.headers.get("Content-Type").startswith("text/html")
        assert "Content-Security-Policy" in response.headers
    decode = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[encoding]
    assert decode(body) == (site.root / "en/privacy/index.html").read_bytes()


@pytest.mark.browser
def test_browser_gets_compressed_pages_and_assets(page, site, watch):
    encodings = {}
    page.on("response", lambda r: encodings.setdefault(r.url, r.headers.get("content-encoding")))
    page.goto(site.page("privacy/"), wait_until="networkidle")
    assert encodings[site.page("privacy/")] in ("br", "gzip")
    styles = [url for url in encodings if url.endswith(".css")]
    assert styles and all(encodings[url] in ("br", "gzip") for url in styles), encodings
    watch.assert_clean()
