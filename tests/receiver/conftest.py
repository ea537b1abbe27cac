"""The receipt receiver (consent_receiver) against real parts.

What this layer may use: the receiver as operators start it (`python -m consent_receiver
serve`, a child process on a free 127.0.0.1 port) and its other commands; SQLite files in
temporary folders; a throwaway PostgreSQL server (scripts/postgres_cluster.py: initdb in a
temporary folder, started and stopped by the tests, as the `postgres` user when root), from
`make servers`; plain HTTP over 127.0.0.1 (http.client), and the databases read directly
(sqlite3, psycopg) to count what was really stored. No browser: the widget's side of receipts
is tested in tests/e2e. Load and fault figures belong to scripts/benchmark_receiver.py.
"""

from __future__ import annotations

import datetime
import http.client
import json
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from postgres_cluster import PostgresCluster
from receiver_process import start_receiver as start_receiver_process
from receiver_process import stop_receiver
from setup_servers import can_apt, find_postgresql

SITE = "https://tsunagu-denki.com"
OTHER_SITE = "https://evil.example"


def random_id() -> str:
    """An id as the widget writes one: four base-36 numbers of 32 random bits, joined by '-'."""

    def base36(n: int) -> str:
        digits = ""
        while True:
            n, r = divmod(n, 36)
            digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
            if not n:
                return digits

    return "-".join(base36(secrets.randbits(32)) for _ in range(4))


def receipt(**fields) -> dict:
    """A valid receipt (the contract's example), with fresh ids unless given."""
    now = datetime.datetime.now(datetime.UTC)
    return {
        "v": 1,
        "receipt_id": random_id(),
        "consent_id": random_id(),
        "time": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "method": "banner",
        "decisions": {"necessary": True, "analytics": False, "advertising": True},
        "revision": 2,
        "registry": "sha256:" + "b7" * 32,
        "policy_version": "2026-11-26",
        "policy_fingerprint": "sha256:" + "89" * 32,
        "language": "ja",
        **fields,
    }


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    process: subprocess.Popen
    port: int
    log: Path
    database: Path | None = None  # its SQLite file, where a test reads it

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()

    def post(
        self,
        data: dict | bytes,
        origin: str | None = SITE,
        client: str | None = None,
        content_type: str = "application/json",
        **headers: str,
    ) -> Answer:
        """POST /receipts as a browser on `origin` would; `client` stands for the visitor's
        address (X-Forwarded-For, which the receiver trusts from 127.0.0.1 as from a proxy)."""
        body = data if isinstance(data, bytes) else json.dumps(data).encode()
        headers = {"Content-Type": content_type, **headers}
        if origin is not None:
            headers["Origin"] = origin
        if client is not None:
            headers["X-Forwarded-For"] = client
        return self.request("POST", "/receipts", body, headers)

    def health(self) -> Answer:
        return self.request("GET", "/health")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop_receiver(self.process)


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "consent_receiver", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def launch_receiver(
    folder: Path, database: str | None, *options: str, origins: tuple[str, ...] = (SITE,)
) -> Receiver:
    """`python -m consent_receiver serve` in `folder` (its default SQLite file lands there
    when `database` is None), on a free port; returns once it listens."""
    process, port, log = start_receiver_process(folder, database, origins, *options)
    return Receiver(process, port, log)


@pytest.fixture
def start_receiver(tmp_path_factory) -> Iterator:
    """start_receiver(database_url, *options) → a running Receiver; all stopped at the end."""
    started: list[Receiver] = []

    def start(database: str, *options: str, origins: tuple[str, ...] = (SITE,)) -> Receiver:
        folder = tmp_path_factory.mktemp("receiver")
        started.append(launch_receiver(folder, database, *options, origins=origins))
        return started[-1]

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL server for the session; each test makes its own database.
    fsync off: these tests are about behaviour, the benchmark measures a durable server."""
    bindir = find_postgresql()
    if bindir is None and can_apt():
        pytest.fail("no PostgreSQL: `make servers` installs Debian's postgresql")
    if bindir is None:
        pytest.skip("no PostgreSQL here and no apt (as root, on Debian) to install it")
    with PostgresCluster(bindir, {"fsync": "off", "synchronous_commit": "off"}) as cluster:
        yield cluster


@pytest.fixture
def postgres_database(postgres, request) -> str:
    """A new empty database on the session's server: its URL."""
    name = "t_" + re.sub(r"\W", "_", request.node.name)[:40].lower() + "_" + secrets.token_hex(3)
    if not postgres.running:  # a test that stopped it and failed before restarting it
        postgres.start()
    return postgres.create_database(name)
