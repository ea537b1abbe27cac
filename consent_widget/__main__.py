"""Command line for sites not built with MkDocs.

    python -m consent_widget check consent.yml
    python -m consent_widget build consent.yml -o DIR [--base-url /assets/] [--cookie-path /]
    python -m consent_widget scan SITE_DIR|URL [--registry consent.yml]   (see scan.py)

`build` writes, for each language of the registry, the hashed JS (`consent.<lang>.<hash>.js`),
the shared CSS, `snippet.<lang>.html` (for the <head> of a page in that language: the widget,
then the registry's tags as gated placeholders, with `consent-tags.<hash>.js` beside them when
a vendor has a Google tag) and `vendors.<lang>.html` (the disclosure table).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import registry as registry_module
from . import scan, tags
from .render import build_assets, disclosure_table, snippet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m consent_widget", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate a registry and list what is still open")
    check.add_argument("registry", type=Path)
    build = commands.add_parser("build", help="write the widget asset, snippet and vendor tables")
    build.add_argument("registry", type=Path)
    build.add_argument("-o", "--output", type=Path, required=True, help="directory to write to")
    build.add_argument("--base-url", default="", help="URL prefix of DIR as served (snippet links)")
    build.add_argument("--cookie-path", default="/", help="path of the site root (default /)")
    scan_command = commands.add_parser(
        "scan", help="visit the site in every consent state; fail on anything undeclared"
    )
    scan.add_arguments(scan_command)
    args = parser.parse_args(argv)

    try:
        registry = registry_module.load(args.registry)
    except registry_module.RegistryError as error:
        count = len(error.problems)
        print(f"{args.registry}: {count} problem{'s' if count > 1 else ''}:", file=sys.stderr)
        print(error, file=sys.stderr)
        return 1

    if args.command == "scan":
        return scan.run(registry, args)

    if args.command == "check":
        open_items = [v.id for v in registry.vendors if not v.confirmed]
        print(
            f"{args.registry}: OK — revision {registry.revision}, {len(registry.categories)} "
            f"categories, {len(registry.vendors)} vendors"
        )
        if open_items:
            print(f"  not yet confirmed by legal: {', '.join(open_items)}")
        return 0

    if not args.cookie_path.startswith("/"):
        parser.error("--cookie-path must start with /")
    out = args.output
    out.mkdir(parents=True, exist_ok=True)
    tags_file = tags.tags_asset(registry)
    if tags_file is not None:
        (out / tags_file.name).write_bytes(tags_file.content)
    base = args.base_url.rstrip("/") + "/" if args.base_url else ""
    gated_tags = tags.placeholders(registry, base + tags_file.name if tags_file else None)
    for lang in registry.languages:
        assets = build_assets(registry, lang, cookie_path=args.cookie_path)
        for asset in (assets.js, assets.css):
            (out / asset.name).write_bytes(asset.content)
        head = snippet(assets, args.base_url) + gated_tags
        (out / f"snippet.{lang}.html").write_text(head, encoding="utf-8")
        table = disclosure_table(registry, lang) + "\n"
        (out / f"vendors.{lang}.html").write_text(table, encoding="utf-8")
    names = ", ".join(f"snippet.{lang}.html" for lang in registry.languages)
    print(f"wrote the widget, {names} and vendors.<lang>.html to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
