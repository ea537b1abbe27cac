"""What a real nginx and a real Caddy answer with the build's host configs: every file with the
security headers and its cache rule, each language's 404 page, pre-compressed files."""

from __future__ import annotations

import subprocess

import pytest

from .conftest import Build, Hosted

HOST_FILES = ("_headers", "_redirects")


def published(build: Build) -> list[str]:
    """Every file of the site a visitor may ask for, as a path below the site's root."""
    files = [p.relative_to(build.site).as_posix() for p in build.site.rglob("*") if p.is_file()]
    return sorted(f for f in files if f not in HOST_FILES)


def url_path(build: Build, rel: str) -> str:
    """How a visitor asks for a file: pages by their folder (`privacy/`), the rest as is."""
    if rel == "index.html" or rel.endswith("/index.html"):
        rel = rel[: -len("index.html")]
    return build.base + rel


def assert_security_headers(hosted: Hosted, response, what: str) -> None:
    for name, value in hosted.build.every_response_headers().items():
        assert response.headers.get_all(name) == [value], f"{what}: {name}"


def test_the_servers_own_check_accepts_the_config(hosted):
    result = subprocess.run(hosted.check, capture_output=True, text=True, env=hosted.env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_file_has_the_security_headers_and_its_cache_rule(hosted):
    build = hosted.build
    page_cache = build.cache_rule(build.base)
    files = published(build)
    assert any(".min.js" in f for f in files) and "en/privacy/index.html" in files
    for rel in files:
        path = url_path(build, rel)
        response = hosted.get(path)
        assert response.status == 200, path
        assert response.body == (build.site / rel).read_bytes(), f"{path}: not the built file"
        assert_security_headers(hosted, response, path)
        # `_headers` names every page and content-hashed asset; any other file is a page's kin.
        expected = build.cache_rule(path) or page_cache
        assert response.headers.get_all("Cache-Control") == [expected], path


@pytest.mark.parametrize(
    "rel,not_found_page",
    [
        ("xyz", "404.html"),
        ("privacy/xyz/", "404.html"),
        ("assets/missing.0123456789abcdef.min.js", "404.html"),
        ("_headers", "404.html"),
        ("_redirects", "404.html"),
        ("en/xyz", "en/404.html"),
        ("en/privacy/xyz/", "en/404.html"),
    ],
)
def test_a_missing_page_gets_its_languages_404_page(hosted, rel, not_found_page):
    build = hosted.build
    response = hosted.get(build.base + rel)
    assert response.status == 404
    assert response.body == (build.site / not_found_page).read_bytes()
    assert_security_headers(hosted, response, rel)
    assert response.headers["Cache-Control"] == build.cache_rule(build.base + not_found_page)


def test_a_folder_without_its_slash_is_redirected(hosted):
    build = hosted.build
    paths = [build.base + rel for rel in ("privacy", "en", "en/privacy")]
    if build.base != "/":
        paths.append(build.base.rstrip("/"))
    for path in paths:
        response = hosted.get(path)
        assert response.status in (301, 308), path
        assert response.headers["Location"].endswith(path + "/")
        assert_security_headers(hosted, response, path)


def test_precompressed_files_go_to_clients_that_accept_them(hosted):
    build = hosted.build
    siblings = {
        encoding: [p for p in build.site.rglob(f"*.{suffix}") if p.with_suffix("").is_file()]
        for encoding, suffix in (("gzip", "gz"), ("br", "br"))
    }
    assert siblings["gzip"] and siblings["br"], "no pre-compressed file beside its original"
    # nginx has no brotli in Debian: it answers a br-only client with the plain file.
    served = {"gzip": True, "br": hosted.server == "caddy"}
    for encoding, files in siblings.items():
        for compressed in files:
            original = compressed.with_suffix("")
            path = url_path(build, original.relative_to(build.site).as_posix())
            response = hosted.get(path, **{"Accept-Encoding": encoding})
            assert response.status == 200, path
            assert_security_headers(hosted, response, path)
            expected_cache = build.cache_rule(path) or build.cache_rule(build.base)
            assert response.headers["Cache-Control"] == expected_cache, path
            if served[encoding]:
                assert response.headers["Content-Encoding"] == encoding, path
                assert response.body == compressed.read_bytes(), f"{path}: not the {encoding} file"
                assert "Accept-Encoding" in response.headers["Vary"], path
            else:
                assert "Content-Encoding" not in response.headers, path
                assert response.body == original.read_bytes(), path
            plain = hosted.get(path)
            assert "Content-Encoding" not in plain.headers, f"{path}: compressed unasked"
            assert plain.body == original.read_bytes(), path


def test_the_headers_mozilla_observatory_checks(hosted):
    """What Mozilla's HTTP Observatory scores, on a page as nginx and Caddy serve it (TLS and
    the http → https redirect are the operator's: README, "Host configs from the build")."""
    headers = hosted.get(hosted.build.base).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("style-src")[0], csp  # scripts: no unsafe-inline
    max_age = int(headers["Strict-Transport-Security"].split("max-age=")[1].split(";")[0])
    assert max_age >= 15_768_000  # six months: Observatory's minimum
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in (
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    )
    assert headers["Cross-Origin-Resource-Policy"] in ("same-origin", "same-site")
