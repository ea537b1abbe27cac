"""The consent cookie's path is the site's path as a browser sends it (issue 7)."""

from __future__ import annotations

import pytest

from consent_widget.plugin import cookie_path

ENCODED = "/%E3%83%9D%E3%83%AA%E3%82%B7%E3%83%BC/"


@pytest.mark.parametrize(
    "site_url,expected",
    [
        ("https://example.com/", "/"),
        ("https://example.com", "/"),
        (None, "/"),
        ("https://example.com/policy/", "/policy/"),
        ("https://example.com/ポリシー/", ENCODED),
        (f"https://example.com{ENCODED}", ENCODED),  # already encoded: unchanged
        ("https://example.com/a b;c/", "/a%20b%3Bc/"),  # `;` would end the path attribute
    ],
)
def test_cookie_path_is_the_percent_encoded_site_path(site_url, expected):
    assert cookie_path(site_url) == expected
