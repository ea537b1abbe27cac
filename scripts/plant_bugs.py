"""Plant known bugs one at a time and record which tests catch each (issue 20, "No catch lost").

    python scripts/plant_bugs.py [--only a,c] [--list] [--report FILE] [--no-control]
                                 [--keep] [-- PYTEST_ARGS...]

Each plant is one small source edit: a file, the exact text it replaces (found exactly once,
else the script stops and names the plant: code that moved must be noticed, not silently
missed) and the new text. For each plant the project is copied to a scratch directory (the
build outputs, .git and .venv left out), the edit is made there (never in this tree), and
pytest runs the plant's own selection of tests (kept beside it below: the files where a catch
is plausible) with this tree's .venv, importing the copy's code. What failed or errored is
read from pytest's JUnit XML; the copy is then thrown away.

First a control run, with no plant, over the union of the selections: it must pass, so that a
failure in a plant's run comes from the plant. `--no-control` skips it (a rerun of one plant).
Arguments after `--` go to every pytest run (e.g. `-- --browser chromium`).

Prints a Markdown table (bug | tests that failed | caught | what ran) and writes it to
`--report`. Exit status: 0 when every plant was caught, 1 when one was not or the control
failed, 2 when a plant's text is no longer in its file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Build outputs and tools at the top of the project: not part of the code under test.
TOP_LEVEL_LEFT_OUT = {
    ".git",
    ".venv",
    "site",
    "test-artifacts",
    ".pytest_cache",
    ".ruff_cache",
    "node_modules",
    ".cache",
    "site-scan.md",
    "site-scan.json",
}
# Param ids longer than this (joined) are shown as a count per browser.
PARAMS_SHOWN = 60


@dataclass(frozen=True)
class Plant:
    key: str
    bug: str
    file: str  # relative to the project root
    old: str
    new: str
    tests: tuple[str, ...]  # pytest selection: files and node ids


# The consent runtime's own tests are browser tests: its plants are caught (or not) there.
PLANTS = (
    Plant(
        "a",
        "no parent-domain cookie deletion (opt-out deletes vendor cookies only on the host)",
        "consent_widget/assets/consent.js",
        "    for (let h = location.hostname; h.includes('.'); h = h.slice(h.indexOf('.') + 1))"
        " doms.push('; domain=' + h);",
        "    doms.push('; domain=' + location.hostname);",
        (
            "tests/e2e/test_consent_https.py",
            "tests/e2e/test_consent_scripts.py",
            "tests/e2e/test_scan.py",
            "tests/unit/test_purge_pattern.py",
        ),
    ),
    Plant(
        "b",
        "`SameSite=Lax` missing from the consent cookie",
        "consent_widget/assets/consent.js",
        "; SameSite=Lax${sec}`",
        "${sec}`",
        (
            "tests/e2e/test_consent_https.py",
            "tests/e2e/test_consent_banner.py",
            "tests/e2e/test_subpath.py",
            "tests/unit/test_cookie_path.py",
        ),
    ),
    Plant(
        "c",
        "`Secure` missing from the consent cookie on https",
        "consent_widget/assets/consent.js",
        "; SameSite=Lax${sec}`",
        "; SameSite=Lax`",
        (
            "tests/e2e/test_consent_https.py",
            "tests/e2e/test_consent_banner.py",
            "tests/e2e/test_consent_robustness.py",
            "tests/unit/test_cookie_path.py",
        ),
    ),
    Plant(
        "d",
        "a registry field (purpose) left unescaped in the vendor table",
        "consent_widget/render.py",
        'cell("purpose", escape(vendor.purpose[lang])),',
        'cell("purpose", vendor.purpose[lang]),',
        (
            "tests/unit/test_render_escaping.py",
            "tests/unit/test_render.py",
            "tests/build/test_consent_plugin.py",
            "tests/e2e/test_vendor_table.py",
            "tests/e2e/test_cli_page.py",
            "tests/e2e/test_consent_https.py::test_markup_in_every_registry_text_shows_as_text",
            "tests/e2e/test_consent_scripts.py::test_registry_strings_with_markup_show_as_text",
        ),
    ),
    Plant(
        "e",
        "the banner not shown to a first-time visitor (no consent record yet)",
        "consent_widget/assets/consent.js",
        "const ask = () => !dec || (dec.how == 'gpc' && !cats.every(c => c.required || c.gpc));",
        # Still asked again after a revision rise (`old`): only a visitor without any record
        # is left without a banner.
        "const ask = () => (dec ? dec.how == 'gpc' && !cats.every(c => c.required || c.gpc)"
        " : !!old);",
        (
            "tests/e2e/test_consent_banner.py",
            "tests/e2e/test_consent_access.py"
            "::test_small_and_zoomed_screens_show_all_three_choices_on_arrival",
            "tests/e2e/test_policy_versions.py::test_a_first_visit_banner_does_not_mention_a_change",
            "tests/hosting/test_browser.py",
        ),
    ),
    Plant(
        "f",
        "Reject all leaving a gated script to run",
        "consent_widget/assets/consent.js",
        "      if (!on(s.dataset.consent)) return;",
        "      if (!on(s.dataset.consent) && !(dec && dec.how == 'reject')) return;",
        (
            "tests/e2e/test_consent_scripts.py",
            "tests/e2e/test_scan.py",
        ),
    ),
    Plant(
        "g",
        "`revision` ignored when deciding to ask again",
        "consent_widget/assets/consent.js",
        "return d.v === 1 && !old && d.ts > 0",
        "return d.v === 1 && d.ts > 0",
        (
            "tests/e2e/test_consent_banner.py",
            "tests/e2e/test_consent_https.py",
            "tests/e2e/test_policy_versions.py",
            "tests/e2e/test_cli_page.py",
            "tests/unit/test_render.py",
        ),
    ),
    Plant(
        "h",
        "the JA/EN language switcher pointing at the same language",
        "overrides/hooks/page_links.py",
        '        alt["link"] = switcher.get(alt["lang"], alt["link"]) or "./"',
        '        alt["link"] = page.url or "./"',
        (
            "tests/e2e/test_site_browser.py",
            "tests/e2e/test_any_origin.py",
            "tests/e2e/test_subpath.py",
            "tests/e2e/test_policy_versions.py",
            "tests/build/test_site_structure.py",
        ),
    ),
    Plant(
        "i",
        "the CSP missing a tag vendor's host (each tag vendor's last host)",
        "consent_widget/tags.py",
        'listed += [f"https://{h}" for h in vendor.hosts if f"https://{h}" not in listed]',
        'listed += [f"https://{h}" for h in vendor.hosts[:-1] if f"https://{h}" not in listed]',
        (
            "tests/build/test_tags.py",
            "tests/e2e/test_tag_csp.py",
            "tests/e2e/test_scan.py",
            "tests/e2e/test_meta_csp.py",
            "tests/unit/test_registry_tags.py",
            "tests/unit/test_cli.py",
            "tests/hosting/test_header_values.py",
            "tests/hosting/test_cdn_configs.py",
        ),
    ),
    Plant(
        "j",
        "an archived policy version that may be edited (fingerprint check disabled)",
        "overrides/hooks/policy_archive.py",
        "                elif fingerprint(path.read_bytes()) != recorded:",
        "                elif False:",
        (
            "tests/unit/test_policy_archive.py",
            "tests/unit/test_checks.py",
            "tests/build/test_policy_versions.py",
            "tests/build/test_editor_mistakes.py",
        ),
    ),
    Plant(
        "k",
        "the scan ignoring `sessionStorage`",
        "consent_widget/scan.py",
        "sessionStorage: keys('sessionStorage')};",
        "sessionStorage: []};",
        (
            "tests/e2e/test_scan.py",
            "tests/unit/test_scan_judge.py",
            "tests/unit/test_scan_cli.py",
        ),
    ),
)


class PlantError(Exception):
    """A plant's text is not (exactly once) in its file: the code moved; update the plant."""


@dataclass
class Outcome:
    """One pytest run: which tests failed or errored (node id → 'failed' / 'error')."""

    name: str
    selection: tuple[str, ...]
    seconds: float = 0.0
    ran: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    pytest_status: int = 0
    tail: str = ""  # the end of pytest's output, for a run that did not finish


def check_plant(plant: Plant, root: Path) -> None:
    path = root / plant.file
    if not path.exists():
        raise PlantError(f"plant {plant.key}: {plant.file} does not exist")
    count = path.read_text(encoding="utf-8").count(plant.old)
    if count != 1:
        where = "is not in" if count == 0 else f"is {count} times in"
        raise PlantError(
            f"plant {plant.key} ({plant.bug}): the text to replace {where} {plant.file}:\n"
            f"    {plant.old!r}\nThe code moved: update the plant in scripts/plant_bugs.py."
        )


def apply_plant(plant: Plant, root: Path) -> None:
    """Make the edit; the file must still parse, so that a catch is the bug's and not a
    syntax error's."""
    check_plant(plant, root)
    path = root / plant.file
    text = path.read_text(encoding="utf-8").replace(plant.old, plant.new, 1)
    path.write_text(text, encoding="utf-8")
    if path.suffix == ".py":
        compile(text, str(path), "exec")
    elif path.suffix == ".js" and shutil.which("node"):
        check = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
        if check.returncode:
            raise PlantError(f"plant {plant.key} leaves {plant.file} unparsable:\n{check.stderr}")


def _left_out(folder: str, names: list[str]) -> set[str]:
    top = Path(folder) == ROOT
    return {
        n
        for n in names
        if n == "__pycache__" or (top and (n in TOP_LEVEL_LEFT_OUT or n.startswith("site.")))
    }


def scratch_copy(scratch: Path) -> Path:
    project = scratch / "project"
    shutil.copytree(ROOT, project, ignore=_left_out, symlinks=True)
    return project


def pytest_env(project: Path) -> dict[str, str]:
    """The copy's packages first: the .venv's editable install points at this tree."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project), env.get("PYTHONPATH")]))
    env["NO_MKDOCS_2_WARNING"] = "1"  # as `make test` runs it
    env.pop("PYTEST_ADDOPTS", None)
    return env


def assert_imports_the_copy(project: Path, env: dict[str, str]) -> None:
    found = subprocess.run(
        [sys.executable, "-c", "import consent_widget; print(consent_widget.__file__)"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(project.resolve()):
        raise RuntimeError(f"the scratch copy imports consent_widget from {found}, not the copy")


def run_pytest(
    name: str, selection: tuple[str, ...], plant: Plant | None, extra: list[str], keep: bool
) -> Outcome:
    scratch = Path(tempfile.mkdtemp(prefix=f"plant-{name}-"))
    outcome = Outcome(name, selection)
    try:
        project = scratch_copy(scratch)
        if plant:
            apply_plant(plant, project)
        env = pytest_env(project)
        assert_imports_the_copy(project, env)
        junit = scratch / "junit.xml"
        command = [
            sys.executable,
            "-m",
            "pytest",
            *selection,
            "-p",
            "no:cacheprovider",
            f"--basetemp={scratch / 'tmp'}",  # beside the copy: tests copy the project itself
            f"--junitxml={junit}",
            "-o",
            "junit_family=xunit1",  # gives each test case its file
            "-q",
            *extra,
        ]
        print(f"\n=== {name}: pytest {' '.join(selection)}", flush=True)
        started = time.monotonic()
        run = subprocess.run(
            command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        outcome.seconds = time.monotonic() - started
        output = run.stdout.decode("utf-8", "replace")
        outcome.pytest_status = run.returncode
        outcome.tail = "\n".join(output.splitlines()[-40:])
        summary = output.strip().splitlines()[-1] if output.strip() else "(no output)"
        print(f"    {summary}  [{outcome.seconds:.0f} s]", flush=True)
        if junit.exists():
            read_junit(junit, outcome)
        if run.returncode not in (0, 1) and not outcome.failed:
            raise RuntimeError(f"{name}: pytest did not run (status {run.returncode}):\n{output}")
    finally:
        if keep:
            print(f"    kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return outcome


def read_junit(path: Path, outcome: Outcome) -> None:
    for case in ET.parse(path).getroot().iter("testcase"):
        file = case.get("file") or case.get("classname", "").replace(".", "/") + ".py"
        node = f"{file}::{case.get('name')}" if case.get("name") else file
        kinds = [child.tag for child in case if child.tag in ("failure", "error")]
        if not [child for child in case if child.tag == "skipped"]:
            outcome.ran += 1
        if kinds:
            outcome.failed[node] = "failed" if "failure" in kinds else "error"


def grouped(nodes: dict[str, str]) -> list[str]:
    """`file::function` once, its param ids collapsed: what failed, readable in a table cell."""
    functions: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for node, kind in sorted(nodes.items()):
        base, _, params = node.partition("[")
        file, _, function = base.partition("::")
        layer_file = file.removeprefix("tests/")
        functions[f"{layer_file}::{function}" if function else layer_file].append(
            (params.rstrip("]"), kind)
        )
    lines = []
    for name, cases in functions.items():
        params = [p for p, _ in cases if p]
        errors = sum(kind == "error" for _, kind in cases)
        text = code(name)
        if params:
            joined = ", ".join(params)
            if len(joined) <= PARAMS_SHOWN:
                text += f" [{joined}]"
            else:
                browsers = {
                    b: sum(b in p.split("-") for p in params) for b in ("chromium", "firefox")
                }
                per = ", ".join(f"{b} ×{n}" for b, n in browsers.items() if n)
                text += f" ×{len(params)}" + (f" ({per})" if per else "")
        if errors:
            text += f" ({errors} as errors)" if errors != len(cases) else " (errors)"
        lines.append(text)
    return lines


def code(text: str) -> str:
    """A Markdown code span, also for text with backticks in it."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


def report(
    plants: list[Plant], outcomes: dict[str, Outcome], control: Outcome | None, extra: list[str]
) -> str:
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        f"Planted bugs on {time.strftime('%Y-%m-%d %H:%M')}, project at {commit or 'unknown'}"
        + (f", pytest {' '.join(extra)}" if extra else "")
        + ". Each row: one plant alone, its own selection of tests.",
        "",
        "| bug | tests that failed | caught | ran |",
        "|---|---|---|---|",
    ]
    for plant in plants:
        outcome = outcomes[plant.key]
        failed = grouped(outcome.failed)
        cell = (
            f"**{len(outcome.failed)}**: " + "<br>".join(failed)
            if failed
            else "**none: no test catches this bug**"
        )
        caught = "yes" if outcome.failed else "**NO**"
        lines.append(
            f"| ({plant.key}) {plant.bug} | {cell} | {caught} | "
            f"{outcome.ran} tests, {minutes(outcome.seconds)} |"
        )
    if control:
        lines += [
            "",
            f"Control (no plant, union of the selections): {control.ran} tests, "
            f"{len(control.failed)} failed, {minutes(control.seconds)}.",
        ]
    lines += ["", "Plants (file: old text → new text) and the tests each ran:", ""]
    for plant in plants:
        lines.append(
            f"- ({plant.key}) {code(plant.file)}: {code(plant.old.strip())} → "
            f"{code(plant.new.strip())}  "
        )
        lines.append(f"  tests: {', '.join(f'`{t}`' for t in plant.tests)}")
    return "\n".join(lines) + "\n"


def union(plants: list[Plant]) -> tuple[str, ...]:
    """Every selection once; a node id inside a file already selected whole is left out."""
    chosen = list(dict.fromkeys(t for p in plants for t in p.tests))
    files = {t for t in chosen if "::" not in t}
    return tuple(t for t in chosen if "::" not in t or t.split("::")[0] not in files)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    own = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated plant keys, e.g. a,c")
    parser.add_argument("--list", action="store_true", help="list the plants and exit")
    parser.add_argument("--report", type=Path, help="also write the Markdown table here")
    parser.add_argument("--no-control", action="store_true", help="skip the control run")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copies")
    args = parser.parse_args(own)

    plants = list(PLANTS)
    if args.only:
        keys = [k.strip() for k in args.only.split(",") if k.strip()]
        unknown = sorted(set(keys) - {p.key for p in PLANTS})
        if unknown:
            parser.error(f"no plant {', '.join(unknown)} (see --list)")
        plants = [p for p in PLANTS if p.key in keys]
    if args.list:
        for plant in plants:
            print(f"{plant.key}  {plant.bug}\n   {plant.file}\n   tests: {' '.join(plant.tests)}")
        return 0
    try:
        for plant in plants:
            check_plant(plant, ROOT)
    except PlantError as error:
        print(f"plant_bugs: {error}", file=sys.stderr)
        return 2

    started = time.monotonic()
    control = None
    if not args.no_control:
        control = run_pytest("control", union(plants), None, extra, args.keep)
        if control.failed:
            print(
                "plant_bugs: the control run (no plant) failed, so a plant's failures would "
                "prove nothing:\n  " + "\n  ".join(sorted(control.failed)) + "\n" + control.tail,
                file=sys.stderr,
            )
            return 1
    outcomes = {p.key: run_pytest(p.key, p.tests, p, extra, args.keep) for p in plants}
    table = report(plants, outcomes, control, extra)
    table += f"\nTotal run time: {minutes(time.monotonic() - started)}.\n"
    print("\n" + table)
    if args.report:
        args.report.write_text(table, encoding="utf-8")
    return 0 if all(o.failed for o in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
