"""The receiver over HTTP, started as an operator starts it, with its default SQLite database:
what is stored (counted in the database file itself), what is refused and with which status,
CORS, the rate limit and the health endpoint."""

from __future__ import annotations

import http.client
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import OTHER_SITE, SITE, Receiver, cli, launch_receiver, receipt

SECOND_SITE = "https://www.tsunagu-denki.com"
LIMIT = 5  # receipts per client per hour, for the rate-limit test


@pytest.fixture(scope="module")
def sqlite_receiver(tmp_path_factory) -> Iterator[Receiver]:
    """One receiver for the module, as the README starts it (the default database file in its
    working folder), serving two sites. Each test is its own client (X-Forwarded-For)."""
    folder = tmp_path_factory.mktemp("sqlite-receiver")
    receiver = launch_receiver(
        folder, None, "--rate-limit", f"{LIMIT}/hour", origins=(SITE, SECOND_SITE)
    )
    receiver.database = folder / "receipts.db"  # the default, in the working folder
    yield receiver
    receiver.stop()


_clients = iter(range(1, 1_000_000))


def new_client() -> str:
    """A visitor's address of its own (documentation range, never contacted)."""
    n = next(_clients)
    return f"198.51.{n // 250}.{n % 250 + 1}"


def rows(database: Path, receipt_id: str) -> list[sqlite3.Row]:
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        return connection.execute(
            "SELECT * FROM consent_receipts WHERE receipt_id = ?", (receipt_id,)
        ).fetchall()


def test_a_receipt_is_stored_as_one_row(sqlite_receiver):
    sent = receipt()
    answer = sqlite_receiver.post(sent, client=new_client())
    assert answer.status == 201
    assert answer.json() == {"status": "stored", "receipt_id": sent["receipt_id"]}
    assert answer.headers["access-control-allow-origin"] == SITE
    [row] = rows(sqlite_receiver.database, sent["receipt_id"])
    assert row["consent_id"] == sent["consent_id"]
    assert json.loads(row["decisions"]) == sent["decisions"]
    assert (row["method"], row["revision"], row["language"]) == ("banner", 2, "ja")
    assert row["origin"] == SITE
    # Nothing about the visitor unless the operator asks for it.
    assert (row["client_ip"], row["user_agent"]) == (None, None)


def test_the_same_receipt_twice_is_one_row_acknowledged_both_times(sqlite_receiver):
    sent, client = receipt(), new_client()
    first = sqlite_receiver.post(sent, client=client)
    again = sqlite_receiver.post(sent, client=client)
    assert (first.status, again.status) == (201, 200)
    assert again.json() == {"status": "already stored", "receipt_id": sent["receipt_id"]}
    assert len(rows(sqlite_receiver.database, sent["receipt_id"])) == 1


def test_a_second_choice_of_the_same_visitor_is_a_second_row(sqlite_receiver):
    first, client = receipt(), new_client()
    later = receipt(consent_id=first["consent_id"], method="dialog")
    assert sqlite_receiver.post(first, client=client).status == 201
    assert sqlite_receiver.post(later, client=client).status == 201
    with sqlite3.connect(sqlite_receiver.database) as connection:
        count = connection.execute(
            "SELECT count(*) FROM consent_receipts WHERE consent_id = ?", (first["consent_id"],)
        ).fetchone()[0]
    assert count == 2


def test_another_receipt_under_a_used_id_is_a_conflict_and_changes_nothing(sqlite_receiver):
    sent, client = receipt(), new_client()
    assert sqlite_receiver.post(sent, client=client).status == 201
    forged = dict(sent, decisions={**sent["decisions"], "analytics": True})
    answer = sqlite_receiver.post(forged, client=client)
    assert answer.status == 409
    assert answer.json()["problems"] == [
        f"receipt_id {sent['receipt_id']!r} is already stored with other content"
    ]
    [row] = rows(sqlite_receiver.database, sent["receipt_id"])
    assert json.loads(row["decisions"])["analytics"] is False


def test_both_configured_sites_are_served(sqlite_receiver):
    sent = receipt()
    answer = sqlite_receiver.post(sent, origin=SECOND_SITE, client=new_client())
    assert answer.status == 201
    assert answer.headers["access-control-allow-origin"] == SECOND_SITE
    assert rows(sqlite_receiver.database, sent["receipt_id"])[0]["origin"] == SECOND_SITE


@pytest.mark.parametrize(
    "origin", [OTHER_SITE, None, "null", "http://tsunagu-denki.com", SITE + ":8443"]
)
def test_a_post_from_another_origin_is_refused_and_not_stored(sqlite_receiver, origin):
    sent = receipt()
    answer = sqlite_receiver.post(sent, origin=origin, client=new_client())
    assert answer.status == 403
    assert answer.json()["problems"] == [
        f"origin {origin!r} is not one of the sites this receiver serves"
    ]
    # No CORS grant: the other site's page cannot even read the answer.
    assert "access-control-allow-origin" not in answer.headers
    assert rows(sqlite_receiver.database, sent["receipt_id"]) == []


def test_preflight_is_granted_to_the_site_only(sqlite_receiver):
    def preflight(origin: str):
        return sqlite_receiver.request(
            "OPTIONS",
            "/receipts",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )

    granted = preflight(SITE)
    assert granted.status == 200
    assert granted.headers["access-control-allow-origin"] == SITE
    assert granted.headers["access-control-allow-methods"] == "POST"
    assert "content-type" in granted.headers["access-control-allow-headers"].lower()
    refused = preflight(OTHER_SITE)
    assert refused.status == 400
    assert "access-control-allow-origin" not in refused.headers


def test_answers_expose_retry_after_to_the_widget(sqlite_receiver):
    answer = sqlite_receiver.post(receipt(), client=new_client())
    assert answer.headers["access-control-expose-headers"] == "Retry-After"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"ip": "203.0.113.7"}, "receipt: unknown field 'ip'"),
        ({"revision": "2"}, "revision: '2' is not of type 'integer'"),
        ({"decisions": {"analytics": "yes"}}, "decisions.analytics: 'yes' is not of type"),
        ({"time": "2099-01-01T00:00:00.000Z"}, "time: '2099-01-01T00:00:00.000Z' is more than"),
        ({"decisions": {f"c{i}": True for i in range(33)}}, "decisions: 33 categories"),
        ({"receipt_id": "r" * 65}, "receipt_id: 'rrrrrrr"),
    ],
)
def test_a_forged_receipt_is_refused_with_422_naming_the_field(sqlite_receiver, fields, problem):
    sent = receipt(**fields)
    answer = sqlite_receiver.post(sent, client=new_client())
    assert answer.status == 422
    assert answer.json()["status"] == "invalid"
    assert any(p.startswith(problem) for p in answer.json()["problems"]), answer.json()
    # The widget reads the status: the answer carries the CORS grant.
    assert answer.headers["access-control-allow-origin"] == SITE
    assert rows(sqlite_receiver.database, sent["receipt_id"]) == []


def test_a_body_that_is_not_json_is_400(sqlite_receiver):
    answer = sqlite_receiver.post(b'{"v": 1, "v": 1}', client=new_client())
    assert (answer.status, answer.json()["problems"]) == (
        400,
        ["the body is not JSON: key 'v' appears twice"],
    )


def test_json_nested_too_deeply_is_400_not_a_crash(sqlite_receiver):
    """Under 8 KiB, 4,000 levels deep: past Python's recursion limit."""
    body = b'{"v": ' + b"[" * 4000 + b"]" * 4000 + b"}"
    answer = sqlite_receiver.post(body, client=new_client())
    assert (answer.status, answer.json()["problems"]) == (
        400,
        ["the body is not JSON a receipt could be: nested too deeply"],
    )
    assert sqlite_receiver.health().status == 200


def test_another_media_type_is_415(sqlite_receiver):
    answer = sqlite_receiver.post(
        receipt(), client=new_client(), content_type="application/x-www-form-urlencoded"
    )
    assert answer.status == 415


def test_text_plain_is_accepted_as_send_beacon_sends_it(sqlite_receiver):
    sent = receipt()
    answer = sqlite_receiver.post(
        sent, client=new_client(), content_type="text/plain;charset=UTF-8"
    )
    assert answer.status == 201


def test_an_oversized_receipt_is_413_before_it_is_read(sqlite_receiver):
    sent = receipt(padding="x" * 9000)
    answer = sqlite_receiver.post(sent, client=new_client())
    assert answer.status == 413
    assert answer.json()["problems"] == ["a receipt is at most 8192 bytes"]
    assert rows(sqlite_receiver.database, sent["receipt_id"]) == []


def test_an_oversized_receipt_without_length_is_413_while_read(sqlite_receiver):
    """Chunked: no Content-Length to refuse it by; reading stops past the limit."""
    connection = http.client.HTTPConnection("127.0.0.1", sqlite_receiver.port, timeout=30)
    chunks = (b"x" * 1024 for _ in range(64))  # 64 KiB
    connection.request(
        "POST",
        "/receipts",
        body=chunks,
        headers={"Origin": SITE, "Content-Type": "application/json"},
        encode_chunked=True,
    )
    response = connection.getresponse()
    assert response.status == 413
    connection.close()


def test_a_lying_content_length_is_refused(sqlite_receiver):
    answer = sqlite_receiver.post(receipt(), client=new_client(), **{"Content-Length": "99999"})
    assert answer.status == 413


def test_the_rate_limit_answers_429_with_retry_after(sqlite_receiver):
    client = new_client()
    window = int(time.time() // 3600)
    answers = [sqlite_receiver.post(receipt(), client=client).status for _ in range(LIMIT + 2)]
    if int(time.time() // 3600) != window:
        pytest.xfail("an hour began during the test: the window was reset")  # 1 in ~3,000 runs
    assert answers == [201] * LIMIT + [429, 429]
    refused = sqlite_receiver.post(receipt(), client=client)
    assert refused.json()["status"] == "rate limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    # Another visitor is not held back by this one.
    assert sqlite_receiver.post(receipt(), client=new_client()).status == 201
    with sqlite3.connect(sqlite_receiver.database) as connection:
        counters = connection.execute("SELECT client, hits FROM consent_rate_counters").fetchall()
    # Refusals leave the counter at the limit (they are not stored either) ...
    assert max(hits for _, hits in counters) == LIMIT
    # ... and counters are named by a keyed hash: no address is kept.
    assert all(re.fullmatch(r"[0-9a-f]{32}", name) for name, _ in counters)


def test_health_checks_the_database(sqlite_receiver):
    answer = sqlite_receiver.health()
    assert (answer.status, answer.json()) == (200, {"status": "ok", "database": "sqlite"})


def test_the_address_and_user_agent_are_kept_only_when_asked(start_receiver, tmp_path):
    database = tmp_path / "receipts.db"
    receiver = start_receiver(
        f"sqlite:///{database}", "--record-ip", "network", "--record-user-agent"
    )
    sent = receipt()
    answer = receiver.post(sent, client="203.0.113.77", **{"User-Agent": "Mozilla/5.0 (Test)"})
    assert answer.status == 201
    [row] = rows(database, sent["receipt_id"])
    assert (row["client_ip"], row["user_agent"]) == ("203.0.113.0/24", "Mozilla/5.0 (Test)")
    assert "IP address network, user agent yes" in receiver.output()


def test_a_database_that_cannot_be_opened_stops_the_start_with_a_message(tmp_path):
    run = cli("serve", "--database", f"sqlite:///{tmp_path}/missing/r.db", "--allow-origin", SITE)
    assert run.returncode == 1
    assert "consent_receiver: the database cannot be reached: unable to open database file" in (
        run.stderr
    )
    assert "Traceback" not in run.stderr
