"""Build the site strictly and replace the output directory only when the build succeeds.

A deploy that picks up `site/` never sees a half-written site: MkDocs writes into a fresh
sibling directory, which is swapped in by renames once the build has passed.

    python scripts/build_site.py [--site-dir site] [--config mkdocs.yml]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(site_dir: Path, config: Path, env: dict[str, str] | None = None) -> int:
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{site_dir.name}.building-", dir=site_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; web servers and Pages must read it
    # No --quiet: MkDocs then stops counting warnings, and --strict would pass broken links.
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    command += ["--config-file", str(config), "--site-dir", str(staging)]
    run_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    result = subprocess.run(command, env=run_env, cwd=config.parent)
    # The host configs (overrides/hooks/host_configs.py) are written beside the site.
    staging_hosting, hosting = hosting_dir(staging), hosting_dir(site_dir)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(staging_hosting, ignore_errors=True)
        print(f"Build failed: {site_dir} was left as it was.", file=sys.stderr)
        return result.returncode
    _swap_in(staging, site_dir)
    if staging_hosting.exists():
        _swap_in(staging_hosting, hosting)
    print(f"Built {site_dir}")
    if hosting.exists():
        print(f"Host configs for this build: {hosting}/ ({', '.join(_listing(hosting))})")
    return 0


def hosting_dir(site_dir: Path) -> Path:
    """Same rule as host_configs.hosting_dir: `site` → `site.hosting`."""
    return site_dir.with_name(f"{site_dir.name}.hosting")


def _swap_in(built: Path, target: Path) -> None:
    """Replace `target` by `built` with renames: a reader sees the old or the new, never half."""
    previous = target.with_name(f"{target.name}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    built.rename(target)
    shutil.rmtree(previous, ignore_errors=True)


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-dir", type=Path, default=ROOT / "site")
    parser.add_argument("--config", type=Path, default=ROOT / "mkdocs.yml")
    args = parser.parse_args(argv)
    return build(args.site_dir, args.config.resolve())


if __name__ == "__main__":
    sys.exit(main())
