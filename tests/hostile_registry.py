"""A consent registry in which every text a visitor can read is markup, each naming its field.

Shared by the table's unit test and the widget's browser test: whatever reaches the disclosure
table, the banner or the dialog must show as these exact characters, never become elements.
"""

from __future__ import annotations

import yaml

from consent_widget import registry

LANGS = ("ja", "en")
# Tags the markup below would create if it were parsed (the widget and the table make none of these).
INJECTED_TAGS = ("img", "script", "b", "svg", "iframe")
# A link whose address breaks out of an attribute if it is not escaped (the schema allows it).
HOSTILE_URL = "https://vendor.example.test/x?a=1&b=\"><img/src=x/onerror=window.__pwned='url'>"


# What the build fills into these words: kept, so that the words they wrap show too.
PLACEHOLDERS = {
    "recipients_abroad": " {home} {list}",
    "recipients_in": " {country} {recipients}",
    "located_in": " {country}",
    "page_language": " {language}",
}


def payload(field: str) -> str:
    """Markup that runs script once parsed, and is unique to `field`."""
    return (
        f"<img src=x onerror=\"window.__pwned='{field}'\"><b>{field}</b>"
        f"</script><script>window.__pwned='{field}'</script><svg onload=window.__pwned=1> &amp; “{field}”"
    )


def _texts(*path: str) -> dict[str, str]:
    return {lang: payload(".".join((*path, lang))) for lang in LANGS}


def hostile_registry() -> registry.Registry:
    defaults = registry.default_texts()
    data = {
        "revision": 1,
        "languages": list(LANGS),
        # Recipients abroad: the banner's sentence on them and the dialog's country are shown.
        "home_country": "JP",
        "texts": {
            lang: {
                key: payload(f"texts.{lang}.{key}") + PLACEHOLDERS.get(key, "")
                for key in defaults[lang]
            }
            for lang in LANGS
        },
        "categories": [
            {
                "id": category,
                "required": category == "necessary",
                # GPC covers advertising only, so a GPC visitor still sees the banner.
                "gpc_opt_out": category == "advertising",
                "title": _texts("categories", category, "title"),
                "description": _texts("categories", category, "description"),
            }
            for category in ("necessary", "analytics", "advertising")
        ],
        "vendors": [
            {
                "id": f"{category}-vendor",
                "category": category,
                **{
                    field: _texts("vendors", category, field)
                    for field in ("service", "operator", "data", "purpose")
                },
                "country": "US",
                "opt_out_url": HOSTILE_URL,
                "privacy_url": HOSTILE_URL + "privacy",
                "cookies": [f"{category}_cookie"],
                # Every word of the opt-out links: an explanation page; a page in one other language.
                **(
                    {"opt_out_kind": "explanation"}
                    if category == "analytics"
                    else {"opt_out_language": "fr"}
                ),
            }
            for category in ("analytics", "advertising")
        ],
    }
    return registry.parse(yaml.safe_dump(data, allow_unicode=True), "hostile.yml")
