"""Make a Chromium and a Firefox available for the browser tests, and say which ones.

For each browser, in order: its variable ($CHROMIUM_PATH, $FIREFOX_PATH); Debian's package
(`chromium`, `firefox-esr`; installed with apt when we are root on Debian and it is missing,
with a Japanese font so screenshots show text, not boxes); otherwise Playwright's own download
(`python -m playwright install chromium firefox`).

Playwright drives a stock Firefox over WebDriver BiDi (the tests launch it with
`channel="moz-firefox"`); its own Firefox build speaks Playwright's protocol and needs neither.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

JAPANESE_FONT = "fonts-ipafont-gothic"


@dataclass(frozen=True)
class Browser:
    name: str  # Playwright's name for it
    title: str
    variable: str  # set it to a binary to use that one
    candidates: tuple[str, ...]  # system binaries, best first
    apt_package: str


CHROMIUM = Browser(
    "chromium",
    "Chromium",
    "CHROMIUM_PATH",
    ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"),
    "chromium",
)
FIREFOX = Browser(
    "firefox",
    "Firefox",
    "FIREFOX_PATH",
    ("/usr/bin/firefox-esr", "/usr/lib/firefox-esr/firefox-esr"),
    "firefox-esr",
)
BROWSERS = (CHROMIUM, FIREFOX)


def find_system(browser: Browser) -> str | None:
    """The binary to use, or None to let Playwright use its own."""
    override = os.environ.get(browser.variable)
    if override:
        return override
    return next((path for path in browser.candidates if Path(path).is_file()), None)


def find_system_chromium() -> str | None:
    return find_system(CHROMIUM)


def find_system_firefox() -> str | None:
    return find_system(FIREFOX)


def _has_japanese_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout
    return bool(out.strip())


def _can_apt() -> bool:
    return Path("/etc/debian_version").exists() and shutil.which("apt-get") and os.geteuid() == 0


def _apt_install(packages: list[str]) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    subprocess.run(cmd, check=True, env=env)


def main() -> int:
    missing = [b.apt_package for b in BROWSERS if find_system(b) is None]
    if not _has_japanese_font():
        missing.append(JAPANESE_FONT)
    if missing and _can_apt():
        print(f"setup_browser: installing {', '.join(missing)} with apt")
        _apt_install(missing)
    status = 0
    for browser in BROWSERS:
        path = find_system(browser)
        if path is not None:
            print(f"setup_browser: using system {browser.title} {path}")
            continue
        print(f"setup_browser: no system {browser.title}; using Playwright's (playwright install)")
        cmd = [sys.executable, "-m", "playwright", "install", "--with-deps", browser.name]
        if sys.platform != "linux" or not _can_apt():
            cmd.remove("--with-deps")
        status = status or subprocess.run(cmd).returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
