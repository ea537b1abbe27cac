"""Make a Chromium available for the browser tests, and say which one.

Order: $CHROMIUM_PATH; Debian's `chromium` package (installed with apt when we are root on
Debian and it is missing, with a Japanese font so screenshots show text, not boxes);
otherwise Playwright's own download (`python -m playwright install chromium`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SYSTEM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
APT_PACKAGES = ("chromium", "fonts-ipafont-gothic")


def find_system_chromium() -> str | None:
    """The Chromium binary to use, or None to let Playwright use its own."""
    override = os.environ.get("CHROMIUM_PATH")
    if override:
        return override
    return next((path for path in SYSTEM_CANDIDATES if Path(path).is_file()), None)


def _has_japanese_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout
    return bool(out.strip())


def _can_apt() -> bool:
    return Path("/etc/debian_version").exists() and shutil.which("apt-get") and os.geteuid() == 0


def _apt_install(packages: tuple[str, ...]) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    subprocess.run(cmd, check=True, env=env)


def main() -> int:
    path = find_system_chromium()
    if path is None and _can_apt():
        print("setup_browser: installing Debian's chromium with apt")
        _apt_install(APT_PACKAGES)
        path = find_system_chromium()
    elif path is not None and not _has_japanese_font() and _can_apt():
        print("setup_browser: installing a Japanese font with apt")
        _apt_install(APT_PACKAGES[1:])
    if path is not None:
        print(f"setup_browser: using system Chromium {path}")
        return 0
    print("setup_browser: no system Chromium; using Playwright's (python -m playwright install)")
    cmd = [sys.executable, "-m", "playwright", "install", "--with-deps", "chromium"]
    if sys.platform != "linux" or not _can_apt():
        cmd.remove("--with-deps")
    return subprocess.run(cmd).returncode


if __name__ == "__main__":
    sys.exit(main())
