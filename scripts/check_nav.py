"""The menu: every page is in `nav:` of mkdocs.yml, and every menu title has its English title.

    python scripts/check_nav.py

The same rule as the build's (overrides/hooks/site_menu.py), in the same words.
"""

from __future__ import annotations

import argparse
import sys

from checklib import DOCS, ROOT, finish, site_hooks

site_menu = site_hooks("site_menu")


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    return finish("menu", site_menu.problems(ROOT / "mkdocs.yml", DOCS))


if __name__ == "__main__":
    sys.exit(main())
