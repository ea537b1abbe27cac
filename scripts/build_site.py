"""Build the site strictly and replace the output directory only when the build succeeds.

A deploy that picks up `site/` never sees a half-written site: MkDocs writes into a fresh
sibling directory, which is swapped in by renames once the build has passed. What MkDocs
prints is passed on in the editors' words: problems without the log prefix, no lines that
only repeat the one before, and always a last line `build: OK` or `build: FAILED`.

    python scripts/build_site.py [--site-dir site] [--config mkdocs.yml] [--quiet]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from consent_widget import text_files

ROOT = Path(__file__).resolve().parent.parent
LOG_PREFIX = re.compile(r"^(INFO|WARNING|ERROR|DEBUG)\s+-\s+")
# What MkDocs adds around a problem that the problem's own line already says.
ECHOES = (
    re.compile(r"^Error reading page '.*':$"),
    re.compile(r"^Aborted with a BuildError!$"),
    re.compile(r"^Aborted with \d+ warnings? in strict mode!$"),
    re.compile(r"^Error: MkDocs encountered an error parsing the configuration file"),
)


def build(
    site_dir: Path, config: Path, env: dict[str, str] | None = None, quiet: bool = False
) -> int:
    """Build into `site_dir`; print the problems (and, unless quiet, progress) and a verdict."""
    return build_lines(site_dir, config, env, lambda line: print(line, file=sys.stderr), quiet)


def build_lines(site_dir, config, env=None, emit=print, quiet: bool = False) -> int:
    """Run the build, handing each line worth showing to `emit`; return MkDocs' exit status."""
    site_dir = Path(site_dir).resolve()
    try:  # MkDocs would say only where its reader stopped
        text_files.read(Path(config), Path(config).name)
    except text_files.NotUTF8 as error:
        emit(str(error))
        emit(
            f"build: FAILED: {shown(site_dir)} was left as it was"
            if shown(site_dir)
            else "build: FAILED"
        )
        return 1
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{site_dir.name}.building-", dir=site_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; web servers and Pages must read it
    # No --quiet: MkDocs then stops counting warnings, and --strict would pass broken links.
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    command += ["--config-file", str(config), "--site-dir", str(staging)]
    run_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    result = subprocess.run(
        command,
        env=run_env,
        cwd=Path(config).parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for line in result.stdout.splitlines():
        info = line.startswith("INFO")
        line = LOG_PREFIX.sub("", line).rstrip()
        if not line or any(echo.match(line) for echo in ECHOES) or (info and quiet):
            continue
        emit(line.replace(str(staging), (shown(site_dir) or str(site_dir)).rstrip("/")))
    where = shown(site_dir)
    # The host configs (overrides/hooks/host_configs.py) are written beside the site.
    staging_hosting, hosting = hosting_dir(staging), hosting_dir(site_dir)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(staging_hosting, ignore_errors=True)
        # A throwaway directory (make check) means nothing to an editor: name only a real one.
        emit(f"build: FAILED: {where} was left as it was" if where else "build: FAILED")
        return result.returncode
    _swap_in(staging, site_dir)
    if staging_hosting.exists():
        _swap_in(staging_hosting, hosting)
    if hosting.exists() and where:
        emit(f"host configs for this build: {shown(hosting)} ({', '.join(_listing(hosting))})")
    emit(f"build: OK → {where}" if where else "build: OK")
    return 0


def shown(path: Path) -> str | None:
    """The output folder as the editor knows it (below the project), else None."""
    for base in (Path.cwd(), ROOT):
        if path.is_relative_to(base):
            return f"{path.relative_to(base).as_posix()}/"
    return None


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
    parser.add_argument("--quiet", action="store_true", help="print only problems and the verdict")
    args = parser.parse_args(argv)
    return build(args.site_dir, args.config.resolve(), quiet=args.quiet)


if __name__ == "__main__":
    sys.exit(main())
