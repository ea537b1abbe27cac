"""The operator's and auditor's commands (export, purge, migrate) on SQLite and PostgreSQL, as
run from a shell: receipts chosen by the day they were received, written whole; bad options
refused in one plain line, never a traceback."""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import subprocess
import sys

import pytest

from consent_receiver import contract
from consent_receiver.__main__ import main
from consent_receiver.config import database_url
from consent_receiver.store import Sender, Store

from .conftest import SITE, cli, receipt

UTC = datetime.UTC
# When each receipt was received (the receiver's clock), and its decisions.
RECEIVED = [
    (datetime.datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC), {"necessary": True}),
    (datetime.datetime(2026, 2, 1, 0, 0, 0, tzinfo=UTC), {"necessary": True, "ads": False}),
    (
        datetime.datetime(2026, 2, 28, 23, 59, 59, 999000, tzinfo=UTC),
        {"necessary": True, "ads": True},
    ),
    (datetime.datetime(2026, 3, 1, 0, 0, 0, tzinfo=UTC), {"necessary": True, "ads": False}),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'receipts.db'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def command(capsys):
    """The CLI in this process (its own code path, minus a Python start-up per call): the
    tests that must see it from a shell use `cli`."""

    def run(*args: str) -> subprocess.CompletedProcess:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run


def fill(url: str, sender: Sender | None = None) -> list[dict]:
    """The receipts of RECEIVED, stored as the receiver stores them (received at those times)."""
    store = Store(database_url(url))
    sent = []
    try:
        store.migrate()
        for received, decisions in RECEIVED:
            data = receipt(
                decisions=decisions,
                time=contract.iso_time(received - datetime.timedelta(seconds=2)),
            )
            parsed = contract.validate(data, now=received)
            store.save(parsed, sender or Sender(SITE, "192.0.2.1"), received, limit=None)
            sent.append(data)
    finally:
        store.dispose()
    return sent


def test_export_csv_of_a_month(database, tmp_path):
    sent = fill(database)
    out = tmp_path / "february.csv"
    run = cli(
        "export", "--database", database, "--from", "2026-02-01", "--to", "2026-02-28",
        "--format", "csv", "-o", str(out),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stderr == (
        f"consent_receiver: 2 receipts received from 2026-02-01 to 2026-02-28 → {out}\n"
    )
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert [row["receipt_id"] for row in table] == [sent[1]["receipt_id"], sent[2]["receipt_id"]]
    assert list(table[0]) == [
        "receipt_id", "consent_id", "time", "received_at", "method", "revision", "registry",
        "policy_version", "policy_fingerprint", "language", "origin", "client_ip",
        "user_agent", "decision:ads", "decision:necessary",
    ]  # fmt: skip
    assert table[1]["received_at"] == "2026-02-28T23:59:59.999Z"
    assert table[1]["time"] == "2026-02-28T23:59:57.999Z"  # the visitor's clock, as sent
    assert (table[0]["decision:ads"], table[1]["decision:ads"]) == ("false", "true")
    assert table[0]["origin"] == SITE
    assert table[0]["client_ip"] == ""


def test_export_jsonl_gives_each_receipt_as_sent_plus_what_the_receiver_added(database, command):
    sent = fill(database)
    run = command("export", "--database", database, "--from", "2026-02-28", "--format", "jsonl")
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["receipt_id"] for line in lines] == [sent[2]["receipt_id"], sent[3]["receipt_id"]]
    for line, data in zip(lines, sent[2:], strict=True):
        added = {k: line.pop(k) for k in ("received_at", "origin", "client_ip", "user_agent")}
        assert {**line, "v": 1} == data
        assert added["origin"] == SITE
    assert "2 receipts received from 2026-02-28 to the last" in run.stderr


def test_export_by_time_and_consent_id(database, command):
    sent = fill(database)
    run = command(
        "export", "--database", database, "--format", "jsonl",
        "--from", "2026-02-01T09:00:00+09:00",  # = 2026-02-01T00:00Z, included
        "--to", "2026-03-01T00:00:00Z",  # a time: up to it, not included
    )  # fmt: skip
    assert [json.loads(x)["receipt_id"] for x in run.stdout.splitlines()] == [
        sent[1]["receipt_id"],
        sent[2]["receipt_id"],
    ]
    one = command(
        "export", "--database", database, "--format", "jsonl", "--consent-id",
        sent[3]["consent_id"],
    )  # fmt: skip
    assert [json.loads(x)["receipt_id"] for x in one.stdout.splitlines()] == [sent[3]["receipt_id"]]


def store_received(url: str, ages: list[datetime.timedelta]) -> list[str]:
    """One receipt received each of `ages` ago; their receipt ids."""
    now = datetime.datetime.now(UTC)
    store = Store(database_url(url))
    ids = []
    try:
        store.migrate()
        for age in ages:
            received = now - age
            data = receipt(time=contract.iso_time(received))
            store.save(contract.validate(data, received), Sender(SITE, None), received, None)
            ids.append(data["receipt_id"])
    finally:
        store.dispose()
    return ids


def test_purge_deletes_what_is_past_retention_only(database, command):
    day = datetime.timedelta(days=1)
    ids = store_received(database, [800 * day, 366 * day, 364 * day, 10 * day, day / 24])
    dry = command("purge", "--database", database, "--older-than", "1y", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("consent_receiver: would delete 2 receipts received before ")
    assert "2 receipts" in command("purge", "--database", database, "--older-than", "1y").stdout
    assert "1 receipt " in command("purge", "--database", database, "--older-than", "52w").stdout
    run = cli("purge", "--database", database, "--older-than", "7d")  # as from a shell
    assert run.stdout.startswith("consent_receiver: deleted 1 receipt received before ")
    left = command("export", "--database", database, "--format", "jsonl")
    assert [json.loads(x)["receipt_id"] for x in left.stdout.splitlines()] == ids[4:]


def test_purge_in_batches_removes_everything_old(tmp_path, monkeypatch):
    """More receipts than one batch: the purge goes on until none is left."""
    monkeypatch.setattr("consent_receiver.store.PURGE_BATCH", 3)
    url = f"sqlite:///{tmp_path / 'receipts.db'}"
    store = Store(database_url(url))
    try:
        store.migrate()
        old = datetime.datetime(2025, 1, 1, tzinfo=UTC)
        for _ in range(10):
            data = receipt(time="2024-12-31T23:00:00.000Z")
            store.save(contract.validate(data, old), Sender(SITE, None), old, None)
        assert store.purge(datetime.datetime(2025, 6, 1, tzinfo=UTC)) == 10
        assert store.count() == 0
    finally:
        store.dispose()


def test_a_failed_export_leaves_no_file(tmp_path):
    out = tmp_path / "export.csv"
    url = "postgresql://postgres@127.0.0.1:1/nothing"  # nothing listens on port 1
    run = cli("export", "--database", url, "--format", "csv", "-o", str(out))
    assert run.returncode == 1
    assert run.stderr.startswith("consent_receiver: the database cannot be reached: ")
    assert "Traceback" not in run.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["export", "--format", "csv", "--from", "2026-02-30"],
            "--from: '2026-02-30' is not a real date or time; give 2027-01-31 or "
            "2027-01-31T12:00:00+09:00",
        ),
        (
            ["export", "--format", "csv", "--from", "2026-03-01", "--to", "2026-02-01"],
            "--to 2026-02-01 is before --from 2026-03-01",
        ),
        (
            ["export", "--format", "csv", "--from", "2026-03-01T10:00:00"],
            "--from: '2026-03-01T10:00:00': say the time zone, as 2027-01-31T12:00:00+09:00 or …Z",
        ),
        (
            ["purge", "--older-than", "3 months"],
            "--older-than: '3 months': give an age in days, weeks or years, as 400d, 60w or 3y",
        ),
        (
            ["purge", "--older-than", "1y", "--database", "mysql://db/receipts"],
            "--database: 'mysql' is not supported: give sqlite:///receipts.db or "
            "postgresql://USER@HOST/DATABASE",
        ),
        (
            ["purge", "--older-than", "1y", "--database", "receipts.db"],
            "--database: 'receipts.db' is not a database URL; give sqlite:///receipts.db or "
            "postgresql://USER@HOST/DATABASE",
        ),
        (
            ["serve", "--allow-origin", "https://tsunagu-denki.com/privacy/"],
            "--allow-origin: 'https://tsunagu-denki.com/privacy/' is not an origin; give the "
            "site's scheme and host, as https://tsunagu-denki.com (no path, no trailing slash)",
        ),
        (
            ["serve"],
            "--allow-origin: give the site's origin (e.g. --allow-origin "
            "https://tsunagu-denki.com): the receiver takes receipts only from the sites named",
        ),
        (
            ["serve", "--allow-origin", SITE, "--rate-limit", "100"],
            "--rate-limit: '100': give receipts per client per period, as 120/minute "
            "(or /second, /hour), or off",
        ),
        (
            ["serve", "--allow-origin", SITE, "--record-ip", "yes"],
            "--record-ip: 'yes': give one of none, network, full",
        ),
        (
            ["serve", "--allow-origin", SITE, "--retry-after", "0"],
            "--retry-after: 0: give seconds from 1 to 3600",
        ),
    ],
)
def test_bad_options_are_refused_in_one_line(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)  # where the default database file would land
    assert main(args) == 2
    assert capsys.readouterr().err == f"consent_receiver: {message}\n"
    assert list(tmp_path.iterdir()) == []  # not even an empty database file


def test_the_environment_configures_a_service(tmp_path):
    """A service file or container sets variables, not options (a password stays off `ps`)."""
    env = {
        **os.environ,
        "CONSENT_RECEIVER_DATABASE": f"sqlite:///{tmp_path / 'env.db'}",
        "CONSENT_RECEIVER_ALLOW_ORIGINS": "https://a.example, https://b.example:8443",
        "CONSENT_RECEIVER_RATE_LIMIT": "off",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "consent_receiver", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        first = process.stderr.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert first == (
        f"consent_receiver: receipts into sqlite:///{tmp_path / 'env.db'} from "
        "https://a.example, https://b.example:8443; rate limit off; recorded besides the "
        "receipt: IP address none, user agent no\n"
    )
