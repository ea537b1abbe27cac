"""Size and build-time figures for the consent widget, beside its peers, in one run.

    python scripts/benchmark.py [--runs 3] [--no-peers] [--no-build]
                                [--no-lighthouse] [--lighthouse-runs 3] [--page "ja home" ...]

Sizes: raw, gzip -9 and brotli (quality 11) bytes of
  * the engine: consent.js + consent.css as shipped, without any registry data;
  * the total: the built asset with the shipped consent.yml;
  * vanilla-cookieconsent 3.1.0 and Osano cookieconsent 3.1.1, from their npm packages
    (`npm pack`, fetched now), JS + CSS a site ships.
Targets: engine ≤ 3,000 B gzip, total ≤ 5,000 B gzip.
Build time: the same docs built with and without the consent plugin (median of --runs,
interleaved), and the plugin's own work timed in-process.
Lighthouse 12.2.3 (installed by npm into .cache/lighthouse, run with the system Chromium,
$CHROME_PATH or /usr/lib/chromium/chromium): mobile and desktop scores of the four categories
and the Largest Contentful Paint of both languages' home and policy pages, for this site,
this site with the consent widget's script blocked, and stock Material built from the same
docs (no widget, no hooks, Material's defaults but `font: false`: nothing is fetched from
outside here). One interleaved batch, median of --lighthouse-runs; both sites served from
127.0.0.1 by a server that compresses as a CDN does. Audits that error (Lighthouse 12 cannot
read some traces of Chromium 156) are left out of the category scores.
Goals: at or above stock everywhere; the banner delays LCP by at most 100 ms.
Prints figures; it is not a test and asserts nothing beyond reporting the targets.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
from build_site import build

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
    parser.add_argument("--no-lighthouse", action="store_true", help="skip the Lighthouse batch")
    parser.add_argument("--lighthouse-runs", type=int, default=3)
    parser.add_argument(
        "--page", action="append", choices=list(LH_PAGES), help="Lighthouse on this page only"
    )
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

        if not args.no_lighthouse:
            lighthouse_batch(workdir, args.lighthouse_runs, args.page or list(LH_PAGES))
    return 0


# --- Lighthouse -----------------------------------------------------------------------

LIGHTHOUSE = "lighthouse@12.2.3"
LIGHTHOUSE_DIR = ROOT / ".cache" / "lighthouse"  # git-ignored
CHROME = os.environ.get("CHROME_PATH", "/usr/lib/chromium/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
LH_PAGES = {"ja home": "", "ja policy": "privacy/", "en home": "en/", "en policy": "en/privacy/"}
FORMS = ("mobile", "desktop")
LCP_BUDGET_MS = 100  # what the banner may add to the page's LCP
STOCK_MKDOCS_YML = """\
site_name: {site_name}
site_url: {site_url}
docs_dir: docs
theme:
  name: material
  language: ja
  font: false
plugins:
  - search
  - i18n:
      docs_structure: folder
      languages:
        - {{locale: ja, name: 日本語, default: true, build: true}}
        - {{locale: en, name: English, build: true}}
markdown_extensions: [abbr, attr_list, md_in_html, tables, footnotes, {{toc: {{permalink: true}}}}]
"""


class CdnHandler(SimpleHTTPRequestHandler):
    """Static files compressed on the fly (brotli, else gzip) for text types, as a CDN does."""

    TEXT = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt")

    def log_message(self, format, *args):
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?")[0].endswith("/"):
            path = os.path.join(path, "index.html")
        accepted = self.headers.get("Accept-Encoding", "")
        if not (path.endswith(self.TEXT) and os.path.isfile(path)):
            return super().send_head()
        encoding = "br" if "br" in accepted else "gzip" if "gzip" in accepted else None
        body = _compressed(path, encoding)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _BytesFile(body)


class _BytesFile:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, *_args) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


@functools.cache
def _compressed(path: str, encoding: str | None) -> bytes:
    data = Path(path).read_bytes()
    if encoding == "br":
        return brotli.compress(data, quality=11)
    if encoding == "gzip":
        return gzip.compress(data, 9, mtime=0)
    return data


def serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(CdnHandler, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def lighthouse_bin() -> Path:
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        print(f"installing {LIGHTHOUSE} into {LIGHTHOUSE_DIR.relative_to(ROOT)} …", flush=True)
        subprocess.run(
            [
                "npm",
                "i",
                "-E",
                LIGHTHOUSE,
                "--prefix",
                str(LIGHTHOUSE_DIR),
                "--no-audit",
                "--no-fund",
                "--silent",
            ],
            check=True,
        )
    return binary


def build_stock(workdir: Path, url: str) -> Path:
    """Stock Material with the same docs: no widget, no hooks, Material's own defaults."""
    project = workdir / "stock"
    for lang in ("ja", "en"):
        shutil.copytree(ROOT / "docs" / lang, project / "docs" / lang)
    config = project / "mkdocs.yml"
    config.write_text(
        STOCK_MKDOCS_YML.format(
            site_name="株式会社リエゾンエナジー プライバシーポリシー", site_url=url
        ),
        encoding="utf-8",
    )
    site = workdir / "stock-site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)],
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return site


def lighthouse(binary: Path, url: str, form: str, blocked: str | None = None) -> dict:
    """One Lighthouse run: category scores (0–100, errored audits left out), LCP, LCP element."""
    command = [
        str(binary),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
    ]
    if form == "desktop":
        command.append("--preset=desktop")
    if blocked:
        command.append(f"--blocked-url-patterns={blocked}")
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CHROME_PATH": CHROME},
    )
    if run.returncode != 0 or not run.stdout.strip():
        raise RuntimeError(f"lighthouse failed on {url}: {run.stderr.strip()[-300:]}")
    report = json.loads(run.stdout)
    audits = report["audits"]
    scores = {}
    for category in CATEGORIES:
        weighted = [
            (ref["weight"], audits[ref["id"]]["score"])
            for ref in report["categories"][category]["auditRefs"]
            if ref["weight"] > 0
            and audits[ref["id"]]["scoreDisplayMode"] in ("binary", "numeric", "metricSavings")
            and audits[ref["id"]]["score"] is not None
        ]
        total = sum(w for w, _ in weighted)
        scores[category] = round(100 * sum(w * s for w, s in weighted) / total) if total else None
    lcp = audits["largest-contentful-paint"].get("numericValue")
    element = audits.get("largest-contentful-paint-element", {}).get("details", {})
    snippet = json.dumps(element)
    return {"scores": scores, "lcp": lcp, "banner_lcp": "cw-banner" in snippet}


def lighthouse_batch(workdir: Path, runs: int, pages: list[str]) -> None:
    binary = lighthouse_bin()
    ours_root, stock_root = workdir / "ours-site", workdir / "stock-site"
    ours_root.mkdir()
    ours_server, ours_url = serve(ours_root)
    stock_root.mkdir()
    stock_server, stock_url = serve(stock_root)
    try:
        if build(ours_root, ROOT / "mkdocs.yml", env={"SITE_URL": ours_url}) != 0:
            raise SystemExit("benchmark: the site does not build")
        build_stock(workdir, stock_url)
        variants = {
            "ours": (ours_url, None),
            "blocked": (ours_url, "*/assets/consent.*.js"),
            "stock": (stock_url, None),
        }
        results: dict[tuple, list[dict]] = {}
        total = runs * len(FORMS) * len(pages) * len(variants)
        done = 0
        for _ in range(runs):  # interleaved: machine noise hits every variant alike
            for form in FORMS:
                for page in pages:
                    for variant, (base, blocked) in variants.items():
                        done += 1
                        print(f"\r  lighthouse {done}/{total}", end="", file=sys.stderr, flush=True)
                        result = lighthouse(binary, base + LH_PAGES[page], form, blocked)
                        results.setdefault((form, page, variant), []).append(result)
        print(file=sys.stderr)
    finally:
        ours_server.shutdown()
        stock_server.shutdown()
    print_lighthouse(results, runs, pages)


def print_lighthouse(results: dict, runs: int, pages: list[str]) -> None:
    def med(rows: list[dict], key: str) -> float | None:
        values = [r["scores"][key] if key in CATEGORIES else r[key] for r in rows]
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    def scores(rows: list[dict]) -> str:
        return "/".join(
            f"{med(rows, c):.0f}" if med(rows, c) is not None else "-" for c in CATEGORIES
        )

    print()
    print(
        f"Lighthouse 12.2.3, median of {runs}, interleaved. Scores: performance/accessibility/"
        "best practices/SEO; LCP in ms; 'delay' = LCP minus LCP with the widget's script blocked."
    )
    print(
        f"{'form':8} {'page':10} {'ours':>15} {'LCP':>6} {'stock':>15} {'LCP':>6} "
        f"{'blocked LCP':>11} {'delay':>6}  banner LCP"
    )
    short = []
    for form in FORMS:
        for page in pages:
            ours = results[(form, page, "ours")]
            stock = results[(form, page, "stock")]
            blocked = results[(form, page, "blocked")]
            delay = med(ours, "lcp") - med(blocked, "lcp")
            banner = sum(r["banner_lcp"] for r in ours)
            print(
                f"{form:8} {page:10} {scores(ours):>15} {med(ours, 'lcp'):>6.0f} "
                f"{scores(stock):>15} {med(stock, 'lcp'):>6.0f} {med(blocked, 'lcp'):>11.0f} "
                f"{delay:>+6.0f}  {banner}/{len(ours)}"
            )
            for category in CATEGORIES:
                if (med(ours, category) or 0) < (med(stock, category) or 0):
                    short.append(f"{form} {page} {category}")
            if delay > LCP_BUDGET_MS:
                short.append(f"{form} {page} banner delays LCP by {delay:.0f} ms")
    print()
    print(f"at or above stock, banner delay ≤ {LCP_BUDGET_MS} ms: {_verdict(not short)}")
    for line in short:
        print(f"  short: {line}")


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


if __name__ == "__main__":
    sys.exit(main())
