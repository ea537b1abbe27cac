"""The registry's tags on a page: gated placeholders, the Google tags' extra file, CSP sources.

Each vendor with a `tag` is put on every page as `<script type="text/plain" data-consent=CATEGORY
data-src=URL>`; the widget turns it into a real script once CATEGORY is allowed, in document
order. What a tag needs beside its script (gtag's `config` calls) is one generated,
content-hashed external file made from the hand-written `assets/consent-tags.js`: nothing
inline, so the strict CSP stays as it is. The CSP sources come from the same vendors' `hosts`.
"""

from __future__ import annotations

from html import escape
from importlib import resources

import minify

from .registry import Registry, Vendor
from .render import Asset, _hashed, serialise

TAGS_PLACEHOLDER = "__CONSENT_TAGS__"
GTAG_URL = "https://www.googletagmanager.com/gtag/js?id={}"
# What a tag of each kind fetches from its hosts: scripts, beacons (fetch/sendBeacon), pixels.
# Google Ads also measures conversions in an iframe (td.doubleclick.net, googletagmanager.com).
TAG_DIRECTIVES = ("script-src", "connect-src", "img-src")
ADS_DIRECTIVES = (*TAG_DIRECTIVES, "frame-src")


def tag_vendors(registry: Registry) -> list[Vendor]:
    return [vendor for vendor in registry.vendors if vendor.tag]


def tags_asset(registry: Registry) -> Asset | None:
    """`consent-tags.<hash>.js`: each Google vendor's IDs for its `config` calls (None: no Google tag)."""
    google = {v.id: list(v.tag.google) for v in tag_vendors(registry) if v.tag.google}
    if not google:
        return None
    source = resources.files(__package__).joinpath("assets", "consent-tags.js").read_text("utf-8")
    engine = minify.string("application/javascript", source)
    if engine.count(TAGS_PLACEHOLDER) != 1:
        raise RuntimeError(f"consent-tags.js must contain {TAGS_PLACEHOLDER} exactly once")
    js = engine.replace(TAGS_PLACEHOLDER, serialise(google))
    return _hashed("consent-tags", "js", js.encode("utf-8"))


def placeholders(registry: Registry, tags_url: str | None) -> str:
    """The gated `<script>` placeholders of every tag, in registry order.

    `tags_url` is where `tags_asset` is served (needed when a vendor has a Google tag).
    """
    out = []
    for vendor in tag_vendors(registry):
        scripts = [vendor.tag.src] if vendor.tag.src else []
        if vendor.tag.google:
            if not tags_url:
                raise ValueError("a Google tag needs the URL of consent-tags.<hash>.js")
            scripts = [GTAG_URL.format(vendor.tag.google[0]), tags_url]
        out += [
            f'<script type="text/plain" data-consent="{escape(vendor.category)}" '
            f'data-src="{escape(src)}" data-vendor="{escape(vendor.id)}"></script>\n'
            for src in scripts
        ]
    return "".join(out)


def csp_sources(registry: Registry) -> dict[str, list[str]]:
    """CSP directive → the tag vendors' hosts it must allow (`https://` sources, registry order).

    Vendors without a tag add nothing: their hosts stay blocked until a tag is declared.
    """
    sources: dict[str, list[str]] = {}
    for vendor in tag_vendors(registry):
        ads = any(tag_id.startswith("AW-") for tag_id in vendor.tag.google)
        for directive in dict.fromkeys(
            [*(ADS_DIRECTIVES if ads else TAG_DIRECTIVES), *vendor.tag.csp]
        ):
            listed = sources.setdefault(directive, [])
            listed += [f"https://{h}" for h in vendor.hosts if f"https://{h}" not in listed]
    return sources
