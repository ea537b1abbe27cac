"""Load and fault figures of the consent receiver (consent_receiver), in one run.

    python scripts/benchmark_receiver.py [--receipts 20000] [--clients 100] [--resend 0.05]
                                         [--only postgresql|sqlite|restart] [--json FILE]

Three runs, each with its own new database:
  * postgresql: two receiver instances (separate processes) on one throwaway PostgreSQL
    server (durable: fsync and synchronous commit on, as in production);
  * sqlite: one instance on its default SQLite file (WAL, synchronous=FULL);
  * restart: as postgresql, and PostgreSQL is stopped (fast shutdown) once half the receipts
    are acknowledged, kept down --outage seconds, and started again.
Each sends --receipts distinct receipts from --clients concurrent clients (each a visitor's
address of its own, as X-Forwarded-For from a local proxy; the rate limit is on, counted in
the database, set high enough never to refuse). A client sends its receipts one after another,
alternating between the instances, and sends each again until it is acknowledged (201 or 200),
after Retry-After on 503 or 429 (the receivers say 1 s here) and 0.2 s after a network error,
exactly as the widget's outbox will. --resend of them are sent once more after their
acknowledgement (a retry whose first answer was lost).

Figures: receipts per second (acknowledged distinct receipts / wall time), latency p50 / p99 /
max of the acknowledged requests, the answers counted by status, and the proof: rows stored
= distinct receipt ids sent, none lost (sent, not stored), none duplicated (rows beyond one
per id, or stored ids never sent). The restart run also says how long PostgreSQL was down,
how many 503s the receivers gave meanwhile, and how soon after its start receipts were
acknowledged again.

Every request goes to 127.0.0.1 only; the run is bounded by the receipt count and stops by
itself. Prints figures; it is not a test. Exit status 1 if a receipt was lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from postgres_cluster import PostgresCluster
from receiver_process import start_receiver, stop_receiver
from setup_servers import find_postgresql

ORIGIN = "https://tsunagu-denki.com"
REQUEST_TIMEOUT = 30  # seconds before a client gives a request up as a network error
NETWORK_RETRY = 0.2  # seconds
RECEIVER_OPTIONS = ("--rate-limit", "100000/minute", "--retry-after", "1")


def receipt_body() -> tuple[str, bytes]:
    """A receipt as the widget will send it (the contract's example), with fresh ids."""
    now = datetime.datetime.now(datetime.UTC)
    receipt_id = "-".join(secrets.token_hex(4) for _ in range(4))
    body = {
        "v": 1,
        "receipt_id": receipt_id,
        "consent_id": "-".join(secrets.token_hex(4) for _ in range(4)),
        "time": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "method": "banner",
        "decisions": {"necessary": True, "analytics": False, "advertising": True},
        "revision": 2,
        "registry": "sha256:" + "b7" * 32,
        "policy_version": "2026-11-26",
        "policy_fingerprint": "sha256:" + "89" * 32,
        "language": "ja",
    }
    return receipt_id, json.dumps(body, separators=(",", ":")).encode()


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    network_errors: int = 0
    latencies: list[float] = field(default_factory=list)  # acknowledged requests, seconds
    acknowledged: int = 0  # distinct receipts
    ack_times: list[float] = field(default_factory=list)  # monotonic time of each first ack
    unavailable_times: list[float] = field(default_factory=list)  # monotonic time of each 503


class Connection:
    """One client's keep-alive HTTP/1.1 connection to one receiver (a minimal client: the
    benchmark's own costs must stay small beside the receivers' on a shared machine)."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes, client: str) -> tuple[int, dict[str, str]]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = (
            f"POST /receipts HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nOrigin: {ORIGIN}\r\n"
            f"Content-Type: application/json\r\nX-Forwarded-For: {client}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        headers = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def client(
    number: int, receipts: list[tuple[str, bytes]], resend: set[str], ports: list[int], tally
) -> None:
    address = f"198.18.{number // 250}.{number % 250 + 1}"  # the benchmarking range, a label
    connections = [Connection(port) for port in ports]
    turn = number
    try:
        for receipt_id, body in receipts:
            for attempt in range(2 if receipt_id in resend else 1):
                while True:  # until acknowledged
                    connection = connections[turn % len(connections)]
                    turn += 1
                    started = time.monotonic()
                    try:
                        status, headers = await asyncio.wait_for(
                            connection.post(body, address), REQUEST_TIMEOUT
                        )
                    except (OSError, ConnectionError, asyncio.IncompleteReadError, TimeoutError):
                        connection.close()
                        tally.network_errors += 1
                        await asyncio.sleep(NETWORK_RETRY)
                        continue
                    now = time.monotonic()
                    tally.statuses[status] += 1
                    if status in (200, 201):
                        tally.latencies.append(now - started)
                        if attempt == 0:
                            tally.acknowledged += 1
                            tally.ack_times.append(now)
                        break
                    if status in (429, 503):
                        if status == 503:
                            tally.unavailable_times.append(now)
                        await asyncio.sleep(float(headers.get("retry-after", "1")))
                        continue
                    raise RuntimeError(f"receipt {receipt_id}: unexpected answer {status}")
    finally:
        for connection in connections:
            connection.close()


@dataclass
class Outage:
    stopping_at: float = 0.0  # pg_ctl stop called (fast shutdown: clients cut off at once)
    started_at: float = 0.0  # pg_ctl start returned (the server accepts connections)


async def load(
    ports: list[int],
    count: int,
    clients: int,
    resend_share: float,
    restart: tuple[PostgresCluster, float] | None = None,
) -> tuple[Tally, set[str], float, Outage | None]:
    receipts = [receipt_body() for _ in range(count)]
    sent_ids = {receipt_id for receipt_id, _ in receipts}
    resend = {receipt_id for receipt_id, _ in receipts[: int(count * resend_share)]}
    shares = [receipts[n::clients] for n in range(clients)]
    tally = Tally()
    outage = Outage() if restart else None
    started = time.monotonic()
    tasks = [
        asyncio.create_task(client(n, shares[n], resend, ports, tally)) for n in range(clients)
    ]
    if restart:
        cluster, seconds = restart
        while tally.acknowledged < count // 2:
            await asyncio.sleep(0.01)
        outage.stopping_at = time.monotonic()
        await asyncio.to_thread(cluster.stop)
        await asyncio.sleep(seconds)
        await asyncio.to_thread(cluster.start)
        outage.started_at = time.monotonic()
    await asyncio.gather(*tasks)
    return tally, sent_ids, time.monotonic() - started, outage


def stored_ids_postgresql(cluster: PostgresCluster, database: str) -> tuple[int, set[str]]:
    rows = cluster.query(database, "SELECT receipt_id FROM consent_receipts")
    return len(rows), {row[0] for row in rows}


def stored_ids_sqlite(path: Path) -> tuple[int, set[str]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT receipt_id FROM consent_receipts").fetchall()
    return len(rows), {row[0] for row in rows}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def figures(name, instances, tally, sent_ids, seconds, stored, outage) -> dict:
    rows, ids = stored
    result = {
        "run": name,
        "instances": instances,
        "receipts": len(sent_ids),
        "seconds": round(seconds, 2),
        "receipts_per_second": round(tally.acknowledged / seconds, 1),
        "p50_ms": round(statistics.median(tally.latencies) * 1000, 1),
        "p99_ms": round(percentile(tally.latencies, 0.99) * 1000, 1),
        "max_ms": round(max(tally.latencies) * 1000, 1),
        "answers": {str(k): v for k, v in sorted(tally.statuses.items())},
        "network_errors": tally.network_errors,
        "rows": rows,
        "lost": len(sent_ids - ids),
        "duplicated": (rows - len(ids)) + len(ids - sent_ids),
    }
    if outage:
        down, up = outage.stopping_at, outage.started_at
        after = [t for t in tally.ack_times if t >= up]
        result["outage"] = {
            "down_seconds": round(up - down, 2),
            "answers_503": len(tally.unavailable_times),
            "answers_503_outside_outage": sum(
                not down <= t <= up + 1 for t in tally.unavailable_times
            ),
            "first_ack_after_start_s": round(after[0] - up, 2) if after else None,
            # In flight when the stop began: committed before the shutdown cut them off.
            "acks_while_down": sum(down < t < up for t in tally.ack_times),
        }
    return result


@dataclass(frozen=True)
class Load:
    receipts: int = 20000
    clients: int = 100
    resend: float = 0.05  # share of receipts sent once more after their acknowledgement
    outage: float = 3.0  # seconds PostgreSQL stays down in the restart run


def run_postgresql(args: Load, bindir: str, restart: bool) -> dict:
    with PostgresCluster(bindir) as cluster, tempfile.TemporaryDirectory() as folder:
        url = cluster.create_database("bench")
        receivers = []
        try:
            for n in range(2):
                home = Path(folder) / f"instance-{n}"
                home.mkdir()
                receivers.append(start_receiver(home, url, (ORIGIN,), *RECEIVER_OPTIONS))
            ports = [port for _, port, _ in receivers]
            tally, sent, seconds, outage = asyncio.run(
                load(
                    ports,
                    args.receipts,
                    args.clients,
                    args.resend,
                    (cluster, args.outage) if restart else None,
                )
            )
        finally:
            for process, _, _ in receivers:
                stop_receiver(process)
        stored = stored_ids_postgresql(cluster, "bench")
    name = "postgresql, restarted" if restart else "postgresql"
    return figures(name, 2, tally, sent, seconds, stored, outage)


def run_sqlite(args: Load) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        process, port, _ = start_receiver(Path(folder), None, (ORIGIN,), *RECEIVER_OPTIONS)
        try:
            tally, sent, seconds, _ = asyncio.run(
                load([port], args.receipts, args.clients, args.resend)
            )
        finally:
            stop_receiver(process)
        stored = stored_ids_sqlite(Path(folder) / "receipts.db")
    return figures("sqlite", 1, tally, sent, seconds, stored, None)


def report(results: list[dict]) -> None:
    print()
    print(
        f"{'run':<22} {'inst':>4} {'receipts':>8} {'s':>7} {'receipts/s':>10} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>8} {'rows':>6} {'lost':>4} {'dup':>4}"
    )
    for r in results:
        print(
            f"{r['run']:<22} {r['instances']:>4} {r['receipts']:>8} {r['seconds']:>7} "
            f"{r['receipts_per_second']:>10} {r['p50_ms']:>7} {r['p99_ms']:>7} "
            f"{r['max_ms']:>8} {r['rows']:>6} {r['lost']:>4} {r['duplicated']:>4}"
        )
    for r in results:
        answers = ", ".join(f"{status}: {n}" for status, n in r["answers"].items())
        print(f"  {r['run']}: answers {answers}; network errors {r['network_errors']}")
        if "outage" in r:
            o = r["outage"]
            print(
                f"  {r['run']}: PostgreSQL down {o['down_seconds']} s (stop called → started); "
                f"503 answers {o['answers_503']} ({o['answers_503_outside_outage']} outside "
                f"it and its first second back); acknowledged after the stop was called "
                f"{o['acks_while_down']}; first acknowledged "
                f"{o['first_ack_after_start_s']} s after it started"
            )


RUNS = ("postgresql", "sqlite", "restart")


def benchmark(runs: tuple[str, ...] = RUNS, load: Load = Load()) -> list[dict]:
    """The figures of each run (see the module's docstring), for scripts/benchmark.py too.
    Raises RuntimeError when PostgreSQL is needed and missing."""
    bindir = find_postgresql()
    if bindir is None and {"postgresql", "restart"} & set(runs):
        raise RuntimeError("no PostgreSQL (make servers installs it)")
    results = []
    for run in runs:
        print(f"benchmark_receiver: {run} …", file=sys.stderr, flush=True)
        if run == "sqlite":
            results.append(run_sqlite(load))
        else:
            results.append(run_postgresql(load, bindir, restart=run == "restart"))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=Load.receipts)
    parser.add_argument("--clients", type=int, default=Load.clients)
    parser.add_argument("--resend", type=float, default=Load.resend, help="share sent twice")
    parser.add_argument(
        "--outage", type=float, default=Load.outage, help="seconds PostgreSQL is down"
    )
    parser.add_argument("--only", choices=RUNS, action="append")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    load = Load(args.receipts, args.clients, args.resend, args.outage)
    try:
        results = benchmark(tuple(args.only or RUNS), load)
    except RuntimeError as exc:
        print(f"benchmark_receiver: {exc}", file=sys.stderr)
        return 2
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    exact = all(r["lost"] == 0 and r["duplicated"] == 0 for r in results)
    print(f"\nreceipts lost or duplicated: {'none' if exact else 'SOME (see above)'}")
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
