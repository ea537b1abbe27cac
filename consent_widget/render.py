"""Render a validated registry: the widget asset (JS + CSS) and the vendor disclosure table.

Both come from the same `Registry`, so the banner and the policy page cannot disagree.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from html import escape
from importlib import resources

import minify
from babel import Locale
from babel.dates import format_date
from babel.lists import format_list

from .registry import Registry, Vendor

CONFIG_PLACEHOLDER = "__CONSENT_CONFIG__"
# Interface words only the disclosure table prints: not shipped to the browser.
TABLE_ONLY_TEXTS = {"footer_link", "table_caption", "category", "service"}
# Filled in here with the policy's change date (see js_config's `policy_change`), not shipped as is.
POLICY_CHANGED = "policy_changed"
# Made into sentences and labels here (banner_text, opt_out_label): not shipped as they are.
BUILT_HERE = {
    "recipients_abroad",
    "recipients_in",
    "located_in",
    "opt_out",
    "opt_out_explanation",
    "page_language",
}
# A sentence with what follows its full stop: 。 (no space after it) or ". " and the like.
SENTENCE = re.compile(r".+?(?:[。！？]|[.!?](?:\s+|$)|$)", re.S)
# Characters that could end a <script> or a JS line if the asset were ever inlined.
JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


@dataclass(frozen=True)
class Asset:
    name: str  # content-hashed file name, e.g. consent.3f2a9c1e0b.js
    content: bytes


@dataclass(frozen=True)
class WidgetAssets:
    js: Asset
    css: Asset


def _read_asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text("utf-8")


def _hashed(stem: str, suffix: str, content: bytes) -> Asset:
    digest = hashlib.sha256(content).hexdigest()[:10]
    return Asset(f"{stem}.{digest}.{suffix}", content)


def engine_js() -> str:
    """The runtime, minified (local names shortened), with the placeholder still in it."""
    return minify.string("application/javascript", _read_asset("consent.js"))


def engine_css() -> str:
    return minify.string("text/css", _read_asset("consent.css"))


def _long_date(value: datetime.date, lang: str) -> str:
    return format_date(value, format="long", locale=lang)


def country_name(code: str, lang: str) -> str:
    """A country in the page's language (US → アメリカ合衆国, United States)."""
    return Locale.parse(lang).territories.get(code, code)


def located_in(registry: Registry, vendor: Vendor, lang: str) -> str:
    """Where a recipient is, in the page's words ("Country: United States")."""
    lang = language(registry, lang)
    return registry.texts[lang]["located_in"].replace(
        "{country}", country_name(vendor.country, lang)
    )


def banner_text(registry: Registry, lang: str) -> str:
    """The banner's text: the registry's words, with where the recipients abroad are after its
    first sentence (the one that says information is sent to third parties).

    APPI expects a visitor to learn before consenting that information goes abroad, and where:
    said from the vendors' `country`, so that the banner and the table cannot disagree; second,
    so that a phone shows it without scrolling the banner."""
    lang = language(registry, lang)
    words = registry.texts[lang]
    text = words["banner_text"]
    abroad: dict[str, list[str]] = {}
    for vendor in registry.vendors_abroad():
        names = abroad.setdefault(vendor.country, [])
        if vendor.operator[lang] not in names:
            names.append(vendor.operator[lang])
    if not abroad:
        return text
    groups = [
        words["recipients_in"]
        .replace("{country}", country_name(code, lang))
        .replace("{recipients}", format_list(names, locale=lang))
        for code, names in abroad.items()
    ]
    sentence = (
        words["recipients_abroad"]
        .replace("{home}", country_name(registry.home_country, lang))
        .replace("{list}", format_list(groups, locale=lang))
    )
    first, *rest = sentences(text)
    # A Latin full stop is followed by a space (the first sentence keeps its own); 。 is not.
    if not rest:
        return first + (" " if first[-1:].isascii() else "") + sentence
    return first + sentence + (" " if sentence[-1:].isascii() else "") + "".join(rest)


def opt_out_label(registry: Registry, vendor: Vendor, lang: str) -> str:
    """The opt-out link's words: what the page is (the opt-out itself, or an explanation of
    how to opt out elsewhere) and, when it exists in one other language only, which."""
    lang = language(registry, lang)
    words = registry.texts[lang]
    label = words["opt_out_explanation" if vendor.opt_out_kind == "explanation" else "opt_out"]
    if vendor.opt_out_language and vendor.opt_out_language != lang:
        name = Locale.parse(lang).languages.get(vendor.opt_out_language, vendor.opt_out_language)
        label += words["page_language"].replace("{language}", name)
    return label


def js_config(
    registry: Registry,
    lang: str,
    cookie_path: str = "/",
    policy_url: str = "",
    policy_change: dict | None = None,
) -> dict:
    """The configuration the runtime reads, in its own (camelCase) vocabulary.

    One language per asset: a page ships only the words it shows, already chosen.
    `policy_url`: the policy's cookie section in this language, for the banner's link (a path
    from the site root such as /en/privacy/#cookies works on any origin); none if empty.
    `policy_change` ({date, url}: when the policy last changed, a `datetime.date`, and where
    visitors read what changed) makes the banner say so, in this language's words, to
    visitors asked again after a `revision` rise.
    """
    lang = language(registry, lang)
    texts = registry.texts[lang]

    def camel(key: str) -> str:
        head, *rest = key.split("_")
        return head + "".join(part.title() for part in rest)

    return {
        "revision": registry.revision,
        "cookie": {
            "name": registry.cookie_name,
            "maxAgeDays": registry.max_age_days,
            "path": cookie_path,
        },
        "lang": lang,
        "policy": policy_url or None,
        "consentMode": {k: list(v) for k, v in registry.consent_mode.items()} or None,
        "categories": [
            {
                "id": c.id,
                "required": c.required,
                "default": c.default,
                "gpc": c.gpc_opt_out,
                "title": c.title[lang],
                "description": c.description[lang],
                "purge": purge_pattern(registry, c.id),
            }
            for c in registry.categories
        ],
        "vendors": [
            {
                "id": v.id,
                "category": v.category,
                "service": v.service[lang],
                "operator": v.operator[lang],
                "data": v.data[lang],
                "purpose": v.purpose[lang],
                "optOutUrl": v.opt_out_url[lang],
                "optOut": opt_out_label(registry, v, lang),
                "privacyUrl": v.privacy_url[lang],
            }
            | ({"country": located_in(registry, v, lang)} if v.country else {})
            | ({"optOutNote": v.opt_out_note[lang]} if v.opt_out_note else {})
            for v in registry.vendors
        ],
        "texts": {
            camel(k): sentences(banner_text(registry, lang)) if k == "banner_text" else t
            for k, t in texts.items()
            if k not in TABLE_ONLY_TEXTS | BUILT_HERE and k != POLICY_CHANGED
        },
        # [href, link text]: the runtime passes it to its link helper as it is.
        **(
            {
                "change": [
                    policy_change["url"],
                    texts[POLICY_CHANGED].replace(
                        "{date}", _long_date(policy_change["date"], lang)
                    ),
                ]
            }
            if policy_change
            else {}
        ),
    }


def purge_pattern(registry: Registry, category_id: str) -> str:
    """What opting out of a category deletes: its vendors' cookies and storage keys, as one
    regular expression (valid in JS too); `prefix*` matches by prefix."""
    names = [n for v in registry.vendors_of(category_id) for n in (*v.cookies, *v.storage)]
    if not names:
        return "(?!)"  # matches nothing
    alternatives = [re.escape(n[:-1]) + ".*" if n.endswith("*") else re.escape(n) for n in names]
    return f"^(?:{'|'.join(alternatives)})$"


def sentences(text: str) -> list[str]:
    """The banner's text, one block per sentence: no single block drawn by the deferred script
    may be large enough to become the page's Largest Contentful Paint (and hold it back).
    Joined again, the pieces give the text back exactly."""
    return SENTENCE.findall(text)


def serialise(config: dict) -> str:
    """JSON that is also safe JS source: no registry string can close a script or a line."""
    text = json.dumps(config, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def build_assets(
    registry: Registry,
    lang: str,
    cookie_path: str = "/",
    policy_url: str = "",
    policy_change: dict | None = None,
) -> WidgetAssets:
    """The widget's JS (runtime + this registry in one language) and CSS, content-hashed names.

    Same registry, language and cookie path in, byte-identical files out.
    """
    lang = language(registry, lang)
    engine = engine_js()
    if engine.count(CONFIG_PLACEHOLDER) != 1:
        raise RuntimeError(f"consent.js must contain {CONFIG_PLACEHOLDER} exactly once")
    js = engine.replace(
        CONFIG_PLACEHOLDER,
        serialise(js_config(registry, lang, cookie_path, policy_url, policy_change)),
    )
    return WidgetAssets(
        js=_hashed(f"consent.{lang}", "js", js.encode("utf-8")),
        css=_hashed("consent", "css", engine_css().encode("utf-8")),
    )


def with_table_styles(assets: WidgetAssets) -> WidgetAssets:
    """The same assets, the CSS also styling the vendor table (for pages without a theme)."""
    css = engine_css() + minify.string("text/css", _read_asset("consent-table.css"))
    return WidgetAssets(js=assets.js, css=_hashed("consent", "css", css.encode("utf-8")))


def snippet(assets: WidgetAssets, base_url: str = "") -> str:
    """What a page outside MkDocs includes in its <head> to get the widget."""
    base = base_url.rstrip("/") + "/" if base_url else ""
    return (
        f'<link rel="stylesheet" href="{escape(base + assets.css.name)}">\n'
        f'<script src="{escape(base + assets.js.name)}" defer></script>\n'
    )


def footer_link(registry: Registry, lang: str, href: str) -> str:
    """The footer control: a real link to the policy's cookie section, a button with JS."""
    text = registry.texts[language(registry, lang)]["footer_link"]
    return f'<a href="{escape(href)}" class="cw-footer-link" data-consent-open>{escape(text)}</a>'


def language(registry: Registry, lang: str) -> str:
    """The registry language for a page language (`ja-JP` → `ja`); else the first one."""
    short = (lang or "").split("-")[0].split("_")[0].lower()
    return short if short in registry.languages else registry.languages[0]


def disclosure_table(registry: Registry, lang: str) -> str:
    """The vendor table for the policy page, in one language (external-transmission style)."""
    lang = language(registry, lang)
    words = registry.texts[lang]

    def link(url: str, label: str) -> str:
        # Same tab, as links in running text are; no referrer sent to the vendor.
        return f'<a href="{escape(url)}" rel="noopener noreferrer">{escape(label)}</a>'

    head = ("category", "service", "operator", "data", "purpose", "opt_out")

    # Narrow screens show each row as a block, each cell under its column's name (data-label;
    # site.css). Explicit roles keep it a table for screen readers whose browser drops table
    # semantics once `display` changes (Safari).
    def cell(key: str, content: str) -> str:
        return f'<td role="cell" data-label="{escape(words[key])}">{content}</td>'

    def link_cell(content: str) -> str:  # the opt-out link names itself: no label above it
        return f'<td role="cell">{content}</td>'

    rows = []
    for category in registry.categories:
        for vendor in registry.vendors_of(category.id):
            note = f"<br>{escape(vendor.opt_out_note[lang])}" if vendor.opt_out_note else ""
            cells = [
                cell("category", escape(category.title[lang])),
                f'<th scope="row" role="rowheader">{escape(vendor.service[lang])}</th>',
                # The recipient, where it is (a line of its own: a column more would push the
                # opt-out links out of sight on a desktop), its privacy policy.
                cell(
                    "operator",
                    f"{escape(vendor.operator[lang])}<br>"
                    + (
                        f"{escape(located_in(registry, vendor, lang))}<br>"
                        if vendor.country
                        else ""
                    )
                    + link(vendor.privacy_url[lang], words["privacy_policy"]),
                ),
                cell("data", escape(vendor.data[lang])),
                cell("purpose", escape(vendor.purpose[lang])),
                link_cell(
                    link(vendor.opt_out_url[lang], opt_out_label(registry, vendor, lang)) + note
                ),
            ]
            rows.append(f'<tr role="row">{"".join(cells)}</tr>')
    header = "".join(
        f'<th scope="col" role="columnheader">{escape(words[key])}</th>' for key in head
    )
    return (
        f'<div class="cw-disclosure" id="consent-vendors">'
        f'<table role="table"><caption>{escape(words["table_caption"])}</caption>'
        f'<thead role="rowgroup"><tr role="row">{header}</tr></thead>'
        f'<tbody role="rowgroup">{"".join(rows)}</tbody></table></div>'
    )
