"""Size and build-time figures for the consent widget, beside its peers, in one run.

    python scripts/benchmark.py [--runs 3] [--no-peers] [--no-build]

Sizes: raw, gzip -9 and brotli (quality 11) bytes of
  * the engine: consent.js + consent.css as shipped, without any registry data;
  * the total: the built asset with the shipped consent.yml;
  * vanilla-cookieconsent 3.1.0 and Osano cookieconsent 3.1.1, from their npm packages
    (`npm pack`, fetched now), JS + CSS a site ships.
Targets: engine ≤ 3,000 B gzip, total ≤ 5,000 B gzip.
Build time: the same docs built with and without the consent plugin (median of --runs,
interleaved), and the plugin's own work timed in-process.
Prints figures; it is not a test and asserts nothing beyond reporting the targets.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import brotli

from consent_widget import registry, render

ROOT = Path(__file__).resolve().parent.parent

ENGINE_TARGET = 3000
TOTAL_TARGET = 5000
PEERS = {
    # label: (npm spec, files a site ships)
    "vanilla-cookieconsent 3.1.0": (
        "vanilla-cookieconsent@3.1.0",
        ["package/dist/cookieconsent.umd.js", "package/dist/cookieconsent.css"],
    ),
    "Osano cookieconsent 3.1.1": (
        "cookieconsent@3.1.1",
        ["package/build/cookieconsent.min.js", "package/build/cookieconsent.min.css"],
    ),
}


def sizes(files: list[bytes]) -> tuple[int, int, int]:
    """Raw, gzip and brotli bytes, each file compressed on its own as a server sends it."""
    return (
        sum(len(f) for f in files),
        sum(len(gzip.compress(f, 9, mtime=0)) for f in files),
        sum(len(brotli.compress(f, quality=11)) for f in files),
    )


def ours() -> list[tuple[str, list[bytes]]]:
    js, css = render.engine_js().encode(), render.engine_css().encode()
    # What one page ships: the asset of its language (the largest of them) and the CSS.
    shipped = registry.load(ROOT / "consent.yml")
    assets = max(
        (render.build_assets(shipped, lang) for lang in shipped.languages),
        key=lambda a: len(gzip.compress(a.js.content, 9)),
    )
    lang = assets.js.name.split(".")[1]
    return [
        ("ours: engine JS", [js]),
        ("ours: engine CSS", [css]),
        ("ours: engine JS + CSS", [js, css]),
        (
            f"ours: total ({lang} page, shipped consent.yml)",
            [assets.js.content, assets.css.content],
        ),
    ]


def peers(workdir: Path) -> list[tuple[str, list[bytes] | None]]:
    rows: list[tuple[str, list[bytes] | None]] = []
    npm = shutil.which("npm")
    for label, (spec, files) in PEERS.items():
        if not npm:
            rows.append((f"{label} (npm not installed)", None))
            continue
        run = subprocess.run(
            [npm, "pack", spec, "--silent", "--pack-destination", str(workdir)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if run.returncode != 0:
            rows.append((f"{label} (npm pack failed: {run.stderr.strip()[:60]})", None))
            continue
        with tarfile.open(workdir / run.stdout.strip().splitlines()[-1]) as tar:
            rows.append((label, [tar.extractfile(name).read() for name in files]))
    return rows


def print_sizes(rows: list[tuple[str, list[bytes] | None]]) -> None:
    print(f"{'JS + CSS a page ships':48} {'raw':>9} {'gzip':>8} {'brotli':>8}")
    for label, files in rows:
        if files is None:
            print(f"{label:48} {'-':>9} {'-':>8} {'-':>8}")
            continue
        raw, gz, br = sizes(files)
        print(f"{label:48} {raw:>9,} {gz:>8,} {br:>8,}")


def build_times(configs: dict[str, Path], runs: int) -> dict[str, float]:
    """Median seconds per config; runs interleaved so machine noise hits both alike."""
    times: dict[str, list[float]] = {label: [] for label in configs}
    for _ in range(runs + 1):  # the first round warms caches and is discarded
        for label, config in configs.items():
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", out],
                    check=True,
                    cwd=ROOT,
                    env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                )
                times[label].append(time.perf_counter() - start)
    return {label: statistics.median(t[1:]) for label, t in times.items()}


def plugin_work_ms(repeat: int = 20) -> float:
    """The plugin's own work for one site build, in-process: load, both assets, both tables."""
    start = time.perf_counter()
    for _ in range(repeat):
        model = registry.load(ROOT / "consent.yml")
        for lang in model.languages:
            render.build_assets(model, lang)
            render.disclosure_table(model, lang)
    return (time.perf_counter() - start) / repeat * 1000


def without_plugin(workdir: Path) -> Path:
    """mkdocs.yml with the `- consent:` plugin entry (and its indented settings) removed."""
    kept, skipping, removed = [], False, False
    for line in (ROOT / "mkdocs.yml").read_text(encoding="utf-8").splitlines():
        if line.strip() == "- consent:":
            skipping = removed = True
        elif not (skipping and line.startswith("      ")):
            skipping = False
            kept.append(line)
    if not removed:
        raise SystemExit("benchmark: no `- consent:` entry found in mkdocs.yml")
    path = ROOT / f".mkdocs-bench-{workdir.name}.yml"  # beside mkdocs.yml: its paths stay valid
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true", help="skip the npm downloads")
    parser.add_argument("--no-build", action="store_true", help="skip the build timing")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        rows = list(ours())
        if not args.no_peers:
            rows += peers(workdir)
        print_sizes(rows)
        engine_gz = sizes(rows[2][1])[1]
        total_gz = sizes(rows[3][1])[1]
        print()
        print(
            f"engine gzip {engine_gz:,} B (target ≤ {ENGINE_TARGET:,}): {_verdict(engine_gz <= ENGINE_TARGET)}"
        )
        print(
            f"total  gzip {total_gz:,} B (target ≤ {TOTAL_TARGET:,}): {_verdict(total_gz <= TOTAL_TARGET)}"
        )

        if not args.no_build:
            bare = without_plugin(workdir)
            try:
                median = build_times({"with": ROOT / "mkdocs.yml", "without": bare}, args.runs)
            finally:
                bare.unlink()
            share = (median["with"] - median["without"]) / median["with"]
            print()
            print(
                f"site build, median of {args.runs}: with plugin {median['with']:.2f} s, "
                f"without {median['without']:.2f} s, ratio {median['with'] / median['without']:.2f} "
                f"(share {share:+.1%}; differences under ~5% are noise)"
            )
            print(f"plugin's own work per build (in-process): {plugin_work_ms():.1f} ms")
    return 0


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


if __name__ == "__main__":
    sys.exit(main())
