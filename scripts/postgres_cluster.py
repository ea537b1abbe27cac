"""A throwaway PostgreSQL server for the receiver's tests and benchmark: initdb in a temporary
folder, listening on 127.0.0.1 at a free port (and a Unix socket in that folder only), started,
stopped and restarted on demand, and removed at the end.

initdb and postgres refuse to run as root: as root, each command runs as the `postgres` user
(which Debian's package creates), and the folder is given to it. Elsewhere they run as the
current user. The binaries come from scripts/setup_servers.py's `find_postgresql()`.
"""

from __future__ import annotations

import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg


class PostgresCluster:
    def __init__(self, bindir: str | Path, settings: dict[str, str] | None = None):
        self.bindir = Path(bindir)
        # fsync and friends stay on by default: the benchmark measures a real server.
        self.settings = {"max_connections": "200", **(settings or {})}
        self.folder = Path(tempfile.mkdtemp(prefix="consent-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = _free_port()
        self._user = "postgres" if os.geteuid() == 0 else None
        if self._user:
            account = pwd.getpwnam(self._user)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / program), *args]
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        run = subprocess.run(command, capture_output=True, text=True, cwd=self.folder)
        if check and run.returncode != 0:
            raise RuntimeError(
                f"{program} failed ({run.returncode}):\n{run.stdout}{run.stderr}"
                + (self.log.read_text() if self.log.exists() else "")
            )
        return run

    @property
    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def start(self) -> None:
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-p {self.port}",
                f"-k {self.folder}",
                *(f"-c {key}={value}" for key, value in self.settings.items()),
            ]
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        """A fast shutdown: clients are disconnected, as in a real restart."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def query(self, database: str, sql: str, *params) -> list[tuple]:
        with psycopg.connect(self.url(database), autocommit=True) as connection:
            return connection.execute(sql, params or None).fetchall()

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def _free_port() -> int:
    """A free port below Linux's ephemeral range: after a stop, no client socket takes it
    before the restart."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")
