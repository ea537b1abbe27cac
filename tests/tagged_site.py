"""A copy of the real site whose registry declares tags (the shipped one has none yet).

The tags are the shipped vendors' own (Google Analytics, Google Ads, Meta Pixel), with test IDs;
the tests' fake vendor servers answer for their real hosts. `edit` changes the registry data
(e.g. drops a declared cookie) before it is written, to make a site that breaks a rule.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import yaml

from tests.project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
GA_ID, ADS_ID = "G-TEST12345", "AW-123456789"
PIXEL_SRC = "https://connect.facebook.net/en_US/fbevents.js"
TAGS = {
    "google-analytics": {"google": [GA_ID]},
    "google-ads": {"google": [ADS_ID]},
    "meta-pixel": {"src": PIXEL_SRC},
}
# What the fake Google Ads tag writes besides its cookie (as the real conversion linker does).
ADS_STORAGE = ["_gcl_ls"]


def vendor(data: dict, vendor_id: str) -> dict:
    return next(v for v in data["vendors"] if v["id"] == vendor_id)


def tagged_registry(edit: Callable[[dict], None] | None = None) -> str:
    data = yaml.safe_load((ROOT / "consent.yml").read_text(encoding="utf-8"))
    for vendor_id, tag in TAGS.items():
        vendor(data, vendor_id)["tag"] = copy.deepcopy(tag)  # `edit` may change it
    vendor(data, "google-ads")["storage"] = list(ADS_STORAGE)
    if edit:
        edit(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def copy_site(
    dest: Path,
    registry_text: str,
    pages: dict[str, str] | None = None,
    templates: dict[str, str] | None = None,
) -> Path:
    """The site's sources under `dest` with this registry (and extra docs files, and templates
    in overrides/); its mkdocs.yml."""
    copy_project(dest)
    (dest / "consent.yml").write_text(registry_text, encoding="utf-8")
    for folder, files in (("docs", pages), ("overrides", templates)):
        for rel, text in (files or {}).items():
            target = dest / folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return dest / "mkdocs.yml"
