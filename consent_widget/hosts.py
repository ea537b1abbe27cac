"""Host names as a browser reads them: a tag's address, and the `hosts` a vendor declares.

The registry's `hosts` become the site's CSP and what the scan accepts, so two things must hold:
a tag's `src` loads from one of them *as a browser parses it* (the WHATWG URL standard, through
ada-url: `\\` counts as `/`, user info hides the host, percent-escapes are decoded, names are
made ASCII), and no wildcard spans domains of different owners (the Public Suffix List, bundled
with publicsuffixlist: no network at build time).
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

import ada_url
import publicsuffixlist
from publicsuffixlist import PublicSuffixList

HTTPS_PORT = ""  # ada-url leaves the default port out


def _declared(host: str, hosts: list[str]) -> bool:
    """Exactly as CSP host sources match: `*.example.com` every subdomain of example.com (not
    example.com itself), anything else itself only; `host` as a browser has it (no final dot
    removed: `example.com.` is another name)."""
    return any(
        host.endswith(pattern[1:]) if pattern.startswith("*.") else host == pattern
        for pattern in hosts
    )


def src_problem(src: str, hosts: list[str]) -> str | None:
    """Why a tag's `src` must not load (None: its browser host is one of `hosts`)."""
    try:
        url = ada_url.URL(src)
    except ValueError:
        return "is not an address a browser can load: check it against the vendor's instructions"
    written = _written_host(src)
    if url.username or url.password:
        return (
            f"carries user info before an @ ('{src.split('//', 1)[-1].split('@')[0]}@'): a "
            f"browser would load it from '{url.hostname}', and a tag address never needs it; "
            f"write the address without it"
        )
    if url.protocol != "https:":
        return "must start with https:// (as a browser reads it)"
    host = url.hostname
    if host.endswith(".") and _declared(host.rstrip("."), hosts):
        return (
            f"ends its host name with a dot ('{host}'): to a browser and to the CSP that is "
            f"another name than {host.rstrip('.')}; remove the dot"
        )
    if not _declared(host, hosts):
        return _not_declared(src, host, written, hosts)
    if url.port != HTTPS_PORT:
        return (
            f"uses port {url.port}: the site's CSP allows the vendor's hosts on the https port "
            f"only, so the browser would refuse it; remove ':{url.port}'"
        )
    return None


def _written_host(src: str) -> str:
    """The host a reader (or a naive parser) sees in the address."""
    try:
        return urlsplit(src).hostname or ""
    except ValueError:
        return ""


def _not_declared(src: str, host: str, written: str, hosts: list[str]) -> str:
    if written and written != host:
        why = _why_different(src, written, host)
        return (
            f"reads as an address on '{written}', but a browser loads it from '{host}' ({why}), "
            f"which is not among the vendor's `hosts`: write the address the vendor gives, with "
            f"its host as it is"
        )
    return missing_host(host, hosts)


def missing_host(host: str, hosts: list[str]) -> str:
    if not hosts:
        return f"loads from '{host}', but the vendor has no `hosts`: add `hosts: [{host}]`"
    return f"loads from '{host}', which is not among the vendor's `hosts`: add it there"


def _why_different(src: str, written: str, host: str) -> str:
    if written.rstrip(".") == host.rstrip("."):
        return "the final dot makes it another host name"
    if "\\" in src.split("//", 1)[-1].split(written)[0]:
        return "a browser reads \\ as /, which ends the host there"
    if "%" in written:
        return "a browser decodes the %-escapes in a host name"
    if not written.isascii():
        return "a browser writes an international name in its xn-- form"
    return "as a browser parses the address"


# --- wildcards and public suffixes --------------------------------------------------------


@cache
def _public_suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list bundled with the package: nothing is fetched


@cache
def _suffix_rules() -> frozenset[str]:
    """Every name the Public Suffix List makes a suffix of, wildcards and exceptions stripped."""
    with open(publicsuffixlist.PSLFILE, encoding="utf-8") as fh:
        lines = (line.split()[0] for line in fh if line.strip() and not line.startswith("//"))
        return frozenset(line.removeprefix("!").removeprefix("*.") for line in lines)


def wildcard_problem(pattern: str) -> str | None:
    """Why a `*.domain` pattern would allow other owners' sites (None: it does not)."""
    if not pattern.startswith("*."):
        return None
    domain = pattern[2:]
    if _public_suffixes().is_public(domain):
        return (
            f"'{pattern}' would allow every site under {domain}, a public suffix (anyone can "
            f"have a domain there), so anyone's scripts could run on the site: list the "
            f"vendor's own host names (e.g. tag.vendor.{domain}), or its own domain's "
            f"subdomains (*.vendor.{domain})"
        )
    below = sorted(rule for rule in _suffix_rules() if rule.endswith("." + domain))
    if below:
        more = f" and {len(below) - 1} more" if len(below) > 1 else ""
        return (
            f"'{pattern}' also covers {below[0]}{more}, a public suffix (anyone can have a "
            f"site under it), so anyone's scripts could run on the site: list the exact host "
            f"names the vendor's tag uses (e.g. tag.{below[0]})"
        )
    return None
