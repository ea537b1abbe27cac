"""`make serve`: the preview rebuilds when consent.yml is saved, and after a broken save it
shows the problem in the terminal and in the browser (instead of hanging) until it is fixed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.project_copy import copy_project

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = "unknown category 'advert' (did you mean 'advertising'?)"


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # a hang fails the test
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_for(url: str, wanted, seconds: float = 90) -> tuple[int, str]:
    deadline = time.monotonic() + seconds
    while True:
        try:
            status, body = fetch(url)
            if wanted(status, body):
                return status, body
        except (urllib.error.URLError, ConnectionError):
            status, body = 0, ""
        if time.monotonic() > deadline:
            raise AssertionError(f"{url}: still {status} after {seconds} s:\n{body[:2000]}")
        time.sleep(0.5)


@pytest.fixture
def preview(tmp_path):
    """`mkdocs serve` as `make serve` runs it, on a copy of the project and a free port."""
    tmp_path = copy_project(tmp_path / "project")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--strict", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        env={**os.environ, "SITE_URL": url, "NO_MKDOCS_2_WARNING": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield tmp_path, url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_registry_edits_rebuild_and_a_broken_save_shows_its_problem(preview):
    project, url = preview
    page = url + "en/privacy/"
    wait_for(page, lambda status, body: status == 200 and "Google Ads" in body)
    registry = project / "consent.yml"
    good = registry.read_text(encoding="utf-8")

    registry.write_text(good.replace("category: advertising", "category: advert", 1))
    status, body = wait_for(page, lambda status, body: PROBLEM in body)
    assert status == 200 and "The preview could not be built" in body
    assert "livereload" in body  # it reloads itself after the next save
    assert PROBLEM in (project / "serve.log").read_text()
    assert "Traceback" not in (project / "serve.log").read_text()

    registry.write_text(good.replace("en: Google Ads", "en: Google Ads (renamed)", 1))
    wait_for(page, lambda status, body: status == 200 and "Google Ads (renamed)" in body)
