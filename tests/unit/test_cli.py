"""The CLI for sites not built with MkDocs: bad options and bad registries are refused with a
plain message, and OUTPUT is never half-written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from consent_widget import registry

from .test_registry import VALID

ROOT = Path(__file__).resolve().parents[2]
SURROGATE = VALID.replace("en: Google Ads}", 'en: "Google \\ud800 Ads"}')


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "consent_widget", *args], capture_output=True, text=True
    )


@pytest.fixture
def registry_file(tmp_path) -> Path:
    path = tmp_path / "consent.yml"
    path.write_text(VALID, encoding="utf-8")
    return path


def test_lone_surrogate_is_a_registry_problem_with_line_and_key():
    with pytest.raises(registry.RegistryError) as error:
        registry.parse(SURROGATE, "consent.yml")
    assert str(error.value) == (
        "consent.yml:15: vendors[0].service.en: contains \\ud800, which is not a character: "
        "remove that escape"
    )


def test_a_failed_build_leaves_output_as_it_was(tmp_path, registry_file):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("previous build")
    registry_file.write_text(SURROGATE, encoding="utf-8")
    run = cli("build", str(registry_file), "-o", str(out), "--base-url", "/static/")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "vendors[0].service.en: contains \\ud800" in run.stderr
    assert [p.name for p in out.iterdir()] == ["old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["consent.yml", "out"]


def test_a_build_replaces_output_as_a_whole(tmp_path, registry_file):
    out = tmp_path / "out"
    out.mkdir()
    (out / "consent.en.0000000000.js").write_text("stale")
    assert cli("build", str(registry_file), "-o", str(out), "--base-url", "/c/").returncode == 0
    names = sorted(p.name for p in out.iterdir())
    assert "consent.en.0000000000.js" not in names and "vendors.en.html" in names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["consent.yml", "out"]


@pytest.mark.parametrize("base", ["static/consent/", "consent", "./x/"])
def test_relative_base_url_is_refused(tmp_path, registry_file, base):
    run = cli("build", str(registry_file), "-o", str(tmp_path / "out"), "--base-url", base)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "argument --base-url: must say where OUTPUT is served" in run.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "path", ["/; domain=evil.example; SameSite=None", "/a b/", "/x\n", "policy/", "/a,b"]
)
def test_cookie_path_must_be_a_path(tmp_path, registry_file, path):
    run = cli(
        "build",
        str(registry_file),
        "-o",
        str(tmp_path / "o"),
        "--base-url",
        "/",
        "--cookie-path",
        path,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "argument --cookie-path: must be a URL path such as / or /policy/" in run.stderr


def test_help_names_output_as_it_is_given():
    run = cli("build", "--help")
    assert "-o OUTPUT, --output OUTPUT" in run.stdout
    # The output folder is OUTPUT everywhere (`scan SITE_DIR` is another argument).
    assert not re.search(r"\bDIR\b", run.stdout)
    assert not re.search(
        r"\bDIR\b", (ROOT / "consent_widget/__main__.py").read_text().split('"""')[1]
    )


def test_cli_stylesheet_styles_the_vendor_table(tmp_path, registry_file):
    out = tmp_path / "out"
    assert cli("build", str(registry_file), "-o", str(out), "--base-url", "/c/").returncode == 0
    css = next(out.glob("consent.*.css")).read_text()
    assert ".cw-disclosure table{" in css and ".cw-disclosure td{" in css.replace("th,", "")
    snippet = (out / "snippet.en.html").read_text()
    assert f'href="/c/{next(out.glob("consent.*.css")).name}"' in snippet


def test_readme_documents_the_open_attribute():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "data-consent-open" in readme


def test_make_help_lists_the_commands():
    run = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0
    for target in ("build", "serve", "check", "test", "translated PAGE=privacy.md"):
        assert f"  make {target} " in run.stdout, run.stdout


def test_policy_change_line_is_written_in_each_language(tmp_path, registry_file):
    out = tmp_path / "out"
    run = cli(
        "build",
        str(registry_file),
        "-o",
        str(out),
        "--base-url",
        "/c/",
        "--policy-changed",
        "2027-04-01",
        "--policy-changes-url",
        "/{lang}/privacy/changes/",
    )
    assert run.returncode == 0, run.stderr
    ja = next(out.glob("consent.ja.*.js")).read_text(encoding="utf-8")
    en = next(out.glob("consent.en.*.js")).read_text(encoding="utf-8")
    assert '"change":["/ja/privacy/changes/","2027年4月1日' in ja
    assert '"change":["/en/privacy/changes/","' in en and "April 1, 2027" in en


@pytest.mark.parametrize(
    "options,expected",
    [
        (
            ["--policy-changed", "2027-04-01"],
            "--policy-changed and --policy-changes-url go together",
        ),
        (
            ["--policy-changes-url", "/changes/"],
            "--policy-changed and --policy-changes-url go together",
        ),
        (
            ["--policy-changed", "1 April 2027", "--policy-changes-url", "/changes/"],
            "argument --policy-changed: must be a real date, written YYYY-MM-DD, such as "
            "2027-04-01 (found '1 April 2027')",
        ),
        (
            ["--policy-changed", "2027-02-30", "--policy-changes-url", "/changes/"],
            "argument --policy-changed: must be a real date, written YYYY-MM-DD, such as "
            "2027-04-01 (found '2027-02-30')",
        ),
    ],
)
def test_policy_change_options_are_checked(tmp_path, registry_file, options, expected):
    run = cli("build", str(registry_file), "-o", str(tmp_path / "out"), "--base-url", "/", *options)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert expected in run.stderr
    assert not (tmp_path / "out").exists()
