"""What vendors declare they touch (hosts, cookies, storage) and their tags: precise errors."""

from __future__ import annotations

import pytest

from consent_widget import registry

from .test_registry import VALID

TAGGED = VALID.replace(
    "    cookies: [_gcl_au, _ga_*]\n",
    "    cookies: [_gcl_au, _ga_*]\n"
    "    hosts: [www.googletagmanager.com, '*.doubleclick.net']\n"
    "    storage: [_gcl_ls]\n"
    "    tag:\n"
    "      google: [AW-123456789]\n",
) + ("consent_mode:\n  ad_storage: [advertising]\n")


def problems(text: str) -> list[str]:
    with pytest.raises(registry.RegistryError) as caught:
        registry.parse(text, "consent.yml")
    return [str(p) for p in caught.value.problems]


def edit(old: str, new: str) -> str:
    assert old in TAGGED, old
    return TAGGED.replace(old, new, 1)


def test_hosts_storage_and_tag_become_the_model():
    vendor = registry.parse(TAGGED, "consent.yml").vendors[0]
    assert vendor.hosts == ("www.googletagmanager.com", "*.doubleclick.net")
    assert vendor.storage == ("_gcl_ls",)
    assert vendor.tag == registry.Tag(google=("AW-123456789",))
    assert vendor.declares_host("googleads.g.doubleclick.net")
    assert not vendor.declares_host("doubleclick.net")  # *. means subdomains, as in CSP
    assert not vendor.declares_host("evil-doubleclick.net")
    assert vendor.declares_cookie("_ga_ABC") and not vendor.declares_cookie("_gid")
    assert vendor.declares_storage("_gcl_ls") and not vendor.declares_storage("_gcl_ls2")


def test_a_src_tag_on_a_declared_host_is_valid():
    text = edit("      google: [AW-123456789]", "      src: https://www.googletagmanager.com/x.js")
    assert registry.parse(text).vendors[0].tag.src == "https://www.googletagmanager.com/x.js"


def test_a_tag_asks_for_more_csp_directives_by_name():
    text = edit(
        "      google: [AW-123456789]",
        "      src: https://www.googletagmanager.com/x.js\n      csp: [frame-src, font-src]",
    )
    assert registry.parse(text).vendors[0].tag.csp == ("frame-src", "font-src")


@pytest.mark.parametrize(
    "old,new,expected",
    [
        (
            "    hosts: [www.googletagmanager.com, '*.doubleclick.net']",
            "    hosts: [https://www.googletagmanager.com/, '*.doubleclick.net']",
            "consent.yml:22: vendors[0].hosts[0]: must be a host name such as www.example.com, or "
            "*.example.com for all its subdomains (lower case, no https:// and no path); found "
            "'https://www.googletagmanager.com/'",
        ),
        (
            "    hosts: [www.googletagmanager.com, '*.doubleclick.net']",
            "    hosts: [www.googletagmanager.com, 'ads.*.doubleclick.net']",
            "consent.yml:22: vendors[0].hosts[1]: must be a host name such as www.example.com",
        ),
        (
            "    storage: [_gcl_ls]",
            "    storage: ['my key']",
            "consent.yml:23: vendors[0].storage[0]: must be a storage key, or a prefix ending in *",
        ),
        (
            "      google: [AW-123456789]",
            "      google: [UA-1234-1]",
            "consent.yml:25: vendors[0].tag.google[0]: must be a Google tag ID: G-… for Analytics "
            "or AW-… for Ads (e.g. G-ABC123DEF4, AW-123456789); found 'UA-1234-1'",
        ),
        (
            "      google: [AW-123456789]",
            "      src: http://www.googletagmanager.com/x.js",
            "consent.yml:25: vendors[0].tag.src: must be a web address starting with https://; "
            "found 'http://www.googletagmanager.com/x.js'",
        ),
        (
            "      google: [AW-123456789]",
            "      src: https://cdn.example.com/tag.js",
            "consent.yml:25: vendors[0].tag.src: loads from 'cdn.example.com', which is not "
            "among the vendor's `hosts`: add it there",
        ),
        (
            "      google: [AW-123456789]",
            "      sorce: https://cdn.example.com/tag.js",
            "consent.yml:25: vendors[0].tag.sorce: unknown key 'sorce' (did you mean 'src'?)",
        ),
        (
            "      google: [AW-123456789]",
            "      google: [AW-123456789]\n      src: https://www.googletagmanager.com/x.js",
            "consent.yml:24: vendors[0].tag: give either `src` (a script address) or `google` "
            "(Google tag IDs), not both",
        ),
        (
            "    hosts: [www.googletagmanager.com, '*.doubleclick.net']",
            "    hosts: ['*.doubleclick.net']",
            "consent.yml:25: vendors[0].tag.google: gtag.js: loads from 'www.googletagmanager.com', "
            "which is not among the vendor's `hosts`: add it there",
        ),
        (
            "consent_mode:\n  ad_storage: [advertising]\n",
            "",
            "consent.yml:25: vendors[0].tag.google: a Google tag needs `consent_mode` (the "
            "Consent Mode signals gtag.js obeys)",
        ),
        (
            "    tag:\n      google: [AW-123456789]\n",
            "    tag: {}\n",
            "consent.yml:24: vendors[0].tag: must not be empty",
        ),
        (
            "      google: [AW-123456789]",
            "      google: [AW-123456789]\n      csp: [frame-scr]",
            "consent.yml:26: vendors[0].tag.csp[0]: must be one of frame-src, style-src, "
            "font-src, media-src; found 'frame-scr'",
        ),
        (
            "      google: [AW-123456789]",
            "      csp: [frame-src]",
            "consent.yml:24: vendors[0].tag: give `src` (a script address) or `google` (Google "
            "tag IDs): `csp` alone loads nothing",
        ),
    ],
)
def test_bad_hosts_and_tags_are_named_precisely(old, new, expected):
    found = problems(edit(old, new))
    assert any(p.startswith(expected) for p in found), found


def test_a_src_tag_needs_hosts_at_all():
    text = edit("    hosts: [www.googletagmanager.com, '*.doubleclick.net']\n", "")
    text = text.replace("      google: [AW-123456789]", "      src: https://cdn.example.com/t.js")
    assert problems(text) == [
        "consent.yml:24: vendors[0].tag.src: loads from 'cdn.example.com', but the vendor has "
        "no `hosts`: add `hosts: [cdn.example.com]`"
    ]


# --- a tag's address as a browser reads it (WHATWG URL) ----------------------------------

PIXEL_HOSTS = "    hosts: [www.googletagmanager.com, '*.doubleclick.net']"


def with_src(src: str, hosts: str = "[connect.facebook.net]") -> str:
    text = edit(PIXEL_HOSTS, f"    hosts: {hosts}")
    return text.replace("      google: [AW-123456789]", f"      src: '{src}'")


@pytest.mark.parametrize(
    "src,expected",
    [
        # The browser requests https://evil.example/@connect.facebook.net/fbevents.js.
        (
            "https://evil.example\\@connect.facebook.net/fbevents.js",
            "reads as an address on 'connect.facebook.net', but a browser loads it from "
            "'evil.example' (a browser reads \\ as /, which ends the host there), which is not "
            "among the vendor's `hosts`: write the address the vendor gives, with its host as "
            "it is",
        ),
        (
            "https:\\\\evil.example/connect.facebook.net/fbevents.js",
            "must be a web address starting with https://",
        ),
        (
            "https://connect.facebook.net\\.evil.example/fbevents.js",
            None,  # the host ends at the backslash: connect.facebook.net, declared
        ),
        (
            "https://connect.facebook.net@evil.example/fbevents.js",
            "carries user info before an @ ('connect.facebook.net@'): a browser would load it "
            "from 'evil.example', and a tag address never needs it; write the address without it",
        ),
        (
            "https://user:secret@connect.facebook.net/fbevents.js",
            "carries user info before an @ ('user:secret@'): a browser would load it from "
            "'connect.facebook.net', and a tag address never needs it; write the address "
            "without it",
        ),
        (
            "https://connect.facebook.net%2Eevil.example/fbevents.js",
            "reads as an address on 'connect.facebook.net%2Eevil.example', but a browser loads it "
            "from 'connect.facebook.net.evil.example' (a browser decodes the %-escapes in a host "
            "name)",
        ),
        ("https://connect%2Efacebook.net/fbevents.js", None),  # decoded: the declared host
        (
            "https://connect.facebook.net./fbevents.js",
            "ends its host name with a dot ('connect.facebook.net.'): to a browser and to the CSP "
            "that is another name than connect.facebook.net; remove the dot",
        ),
        (
            "https://cönnect.facebook.net/fbevents.js",
            "reads as an address on 'cönnect.facebook.net', but a browser loads it from "
            "'xn--cnnect-wxa.facebook.net' (a browser writes an international name in its xn-- "
            "form)",
        ),
        (
            "https://CONNECT.Facebook.NET/fbevents.js",
            None,  # host names are case-insensitive: the browser lower-cases it
        ),
        (
            "https://connect.facebook.net:8443/fbevents.js",
            "uses port 8443: the site's CSP allows the vendor's hosts on the https port only, "
            "so the browser would refuse it; remove ':8443'",
        ),
        ("https://connect.facebook.net:443/fbevents.js", None),  # the https port itself
        (
            "https://connect.facebook.net:99999/fbevents.js",
            "is not an address a browser can load",
        ),
    ],
)
def test_a_tag_src_is_checked_as_a_browser_reads_it(src, expected):
    text = with_src(src)
    if expected is None:
        assert registry.parse(text).vendors[0].tag.src == src
        return
    found = problems(text)
    assert len(found) == 1, found
    assert found[0].startswith("consent.yml:25: vendors[0].tag.src: " + expected), found


def test_an_international_host_is_declared_in_its_xn_form():
    text = with_src("https://例え.jp/tag.js", "[xn--r8jz45g.jp]")
    assert registry.parse(text).vendors[0].tag.src == "https://例え.jp/tag.js"


# --- wildcards over a public suffix (the Public Suffix List) -----------------------------


@pytest.mark.parametrize(
    "wildcard,expected",
    [
        (
            "*.co.jp",
            "'*.co.jp' would allow every site under co.jp, a public suffix (anyone can have a "
            "domain there), so anyone's scripts could run on the site: list the vendor's own "
            "host names (e.g. tag.vendor.co.jp), or its own domain's subdomains "
            "(*.vendor.co.jp)",
        ),
        ("*.github.io", "'*.github.io' would allow every site under github.io, a public suffix"),
        (
            "*.s3.amazonaws.com",
            "'*.s3.amazonaws.com' would allow every site under s3.amazonaws.com, a public suffix",
        ),
        (
            "*.amazonaws.com",
            "'*.amazonaws.com' also covers ",  # s3.…amazonaws.com: anyone's buckets
        ),
    ],
)
def test_a_wildcard_over_a_public_suffix_is_refused(wildcard, expected):
    text = edit(PIXEL_HOSTS, f"    hosts: [www.googletagmanager.com, '{wildcard}']")
    found = problems(text)
    assert len(found) == 1 and found[0].startswith(
        f"consent.yml:22: vendors[0].hosts[1]: {expected}"
    ), found


@pytest.mark.parametrize("wildcard", ["*.doubleclick.net", "*.example.co.jp", "*.me.github.io"])
def test_a_wildcard_under_one_owners_domain_is_fine(wildcard):
    text = edit(PIXEL_HOSTS, f"    hosts: [www.googletagmanager.com, '{wildcard}']")
    assert registry.parse(text).vendors[0].hosts[1] == wildcard
