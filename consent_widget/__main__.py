"""Command line for sites not built with MkDocs.

    python -m consent_widget check consent.yml
    python -m consent_widget build consent.yml -o OUTPUT --base-url /assets/ [--cookie-path /]
        [--policy-url /{lang}/privacy/#cookies]
        [--policy-changed 2027-04-01 --policy-changes-url /{lang}/privacy/changes/]
    python -m consent_widget scan SITE_DIR|URL [--registry consent.yml]   (see scan.py)

`build` writes, for each language of the registry, the hashed JS (`consent.<lang>.<hash>.js`),
the shared CSS (which also styles the vendor table), `snippet.<lang>.html` (for the <head> of a
page in that language: the widget, then the registry's tags as gated placeholders, with
`consent-tags.<hash>.js` beside them when a vendor has a Google tag), `vendors.<lang>.html`
(the disclosure table) and `csp.txt` (what the site's CSP must allow for them). OUTPUT is
replaced as a whole, and only once everything is written: never half-written.
"""

from __future__ import annotations

import argparse
import datetime
import re
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from . import registry as registry_module
from . import scan, tags
from .render import build_assets, disclosure_table, snippet, with_table_styles

# A cookie's Path attribute: a URL path only. `;` would start another attribute (Domain=…).
COOKIE_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+=:@%/-]*")


def base_url(value: str) -> str:
    """The snippet links must work from pages at any depth: an absolute path or URL."""
    if not value.startswith(("/", "https://", "http://")):
        raise argparse.ArgumentTypeError(
            f"must say where OUTPUT is served, from the site root or as a full URL, such as "
            f"/static/consent/ or https://cdn.example.com/consent/ (found {value!r}: a relative "
            f"address breaks on pages in sub-folders)"
        )
    return value


def cookie_path(value: str) -> str:
    if not COOKIE_PATH.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"must be a URL path such as / or /policy/, without ';', ',', spaces or control "
            f"characters (found {value!r})"
        )
    return value


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a real date, written YYYY-MM-DD, such as 2027-04-01 (found {value!r})"
        ) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m consent_widget", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate a registry and list what is still open")
    check.add_argument("registry", type=Path)
    build = commands.add_parser("build", help="write the widget asset, snippet and vendor tables")
    build.add_argument("registry", type=Path)
    build.add_argument(
        "-o", "--output", type=Path, required=True, help="directory to write (replaced as a whole)"
    )
    build.add_argument(
        "--base-url",
        type=base_url,
        required=True,
        help="where OUTPUT is served: /static/consent/ or https://… (the snippet's links)",
    )
    build.add_argument(
        "--cookie-path", type=cookie_path, default="/", help="path of the site root (default /)"
    )
    build.add_argument(
        "--policy-url",
        default="",
        help="the policy's cookie section, linked from the banner; {lang} stands for the language",
    )
    build.add_argument(
        "--policy-changed",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="when the policy last changed (with a `revision` rise): visitors asked again are "
        "told so, with a link to --policy-changes-url",
    )
    build.add_argument(
        "--policy-changes-url",
        default="",
        help="where visitors read what changed on that date; {lang} stands for the language",
    )
    scan_command = commands.add_parser(
        "scan", help="visit the site in every consent state; fail on anything undeclared"
    )
    scan.add_arguments(scan_command)
    args = parser.parse_args(argv)
    if args.command == "build" and bool(args.policy_changed) != bool(args.policy_changes_url):
        parser.error(
            "--policy-changed and --policy-changes-url go together: the banner says when the "
            "policy changed and links to what changed"
        )

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

    # Everything is rendered before anything is written: a failure leaves OUTPUT as it was.
    files: dict[str, bytes] = {}
    tags_file = tags.tags_asset(registry)
    if tags_file is not None:
        files[tags_file.name] = tags_file.content
    base = args.base_url.rstrip("/") + "/"
    gated_tags = tags.placeholders(registry, base + tags_file.name if tags_file else None)
    for lang in registry.languages:
        policy_url = args.policy_url.replace("{lang}", lang)
        change = (
            {"date": args.policy_changed, "url": args.policy_changes_url.replace("{lang}", lang)}
            if args.policy_changed
            else None
        )
        assets = with_table_styles(
            build_assets(
                registry,
                lang,
                cookie_path=args.cookie_path,
                policy_url=policy_url,
                policy_change=change,
            )
        )
        for asset in (assets.js, assets.css):
            files[asset.name] = asset.content
        head = snippet(assets, args.base_url) + gated_tags
        files[f"snippet.{lang}.html"] = head.encode("utf-8")
        files[f"vendors.{lang}.html"] = (disclosure_table(registry, lang) + "\n").encode("utf-8")
    files["csp.txt"] = csp_text(registry, args.base_url).encode("utf-8")
    out = args.output
    try:
        write_atomically(out, files)
    except OSError as error:
        print(
            f"{out}: cannot be written ({error.strerror}); it was left as it was", file=sys.stderr
        )
        return 1
    names = ", ".join(f"snippet.{lang}.html" for lang in registry.languages)
    print(f"wrote the widget, {names}, vendors.<lang>.html and csp.txt to {out}")
    return 0


def csp_text(registry: registry_module.Registry, base: str) -> str:
    """What a site's Content-Security-Policy must allow for the widget and the registry's tags."""
    sources = {directive: list(hosts) for directive, hosts in tags.csp_sources(registry).items()}
    parts = urlsplit(base)
    if parts.scheme:  # the widget itself is served from another origin
        for directive in ("script-src", "style-src"):
            sources.setdefault(directive, []).insert(0, f"{parts.scheme}://{parts.netloc}")
    lines = [
        "# Sources to add to the site's Content-Security-Policy, per directive, beside 'self'.",
        "# The widget needs no inline script or style; this file changes with consent.yml.",
    ]
    lines += [f"{directive} {' '.join(hosts)}" for directive, hosts in sources.items()]
    return "\n".join(lines) + "\n"


def write_atomically(out: Path, files: dict[str, bytes]) -> None:
    """Write into a sibling folder, then swap it in by renames."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{out.name}.writing-", dir=out.parent))
    try:
        for name, content in files.items():
            (staging / name).write_bytes(content)
        staging.chmod(0o755)  # mkdtemp makes it private; the web server must read it
        previous = out.with_name(f"{out.name}.previous")
        shutil.rmtree(previous, ignore_errors=True)
        if out.exists():
            out.rename(previous)
        staging.rename(out)
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
