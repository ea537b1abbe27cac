"""`python -m consent_receiver serve` as a child process on a free 127.0.0.1 port, as an
operator starts it: for the receiver's tests (tests/receiver) and its benchmark."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

STARTUP_SECONDS = 20
LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


def start_receiver(
    folder: Path, database: str | None, origins: tuple[str, ...], *options: str
) -> tuple[subprocess.Popen, int, Path]:
    """Start it in `folder` (its default SQLite file lands there when `database` is None);
    return once it listens: the process, its port and its log file (stdout and stderr)."""
    log = folder / "receiver.log"
    command = [sys.executable, "-m", "consent_receiver", "serve"]
    if database is not None:
        command += ["--database", database]
    for origin in origins:
        command += ["--allow-origin", origin]
    command += ["--port", "0", *options]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        found = LISTENING.search(log.read_text(errors="replace"))
        if found:
            return process, int(found[1]), log
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise RuntimeError(f"the receiver did not start:\n{log.read_text(errors='replace')}")


def stop_receiver(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
