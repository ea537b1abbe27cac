"""The receipt contract (consent_receiver/receipt.schema.json + contract.py), directly: what the
project's own widget and archive have fits it; forged or impossible receipts are refused, each
problem named by its key."""

from __future__ import annotations

import datetime
import hashlib
import json

import jsonschema
import pytest
import yaml

from consent_receiver import contract
from consent_widget import registry as registry_module

from ..conftest import ROOT
from .conftest import random_id, receipt

NOW = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=datetime.UTC)


def problems(data, now=NOW) -> list[str]:
    with pytest.raises(contract.ReceiptError) as refused:
        contract.parse(json.dumps(data).encode() if not isinstance(data, bytes) else data, now)
    assert refused.value.status == 422
    return refused.value.problems


def test_the_schema_file_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(contract.schema())


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_receipt_of_this_projects_widget_and_archive_fits_the_contract(language):
    """Categories, revision and languages from consent.yml, fingerprints as versions.yml
    writes them: what the widget will send is accepted as it is."""
    registry = registry_module.load(ROOT / "consent.yml")
    versions = yaml.safe_load((ROOT / "policy-versions" / "versions.yml").read_text())
    latest = versions["versions"][-1]
    data = {
        "v": 1,
        "receipt_id": random_id(),
        "consent_id": random_id(),
        "time": "2026-12-04T10:15:30.123Z",  # new Date(record.ts).toISOString()
        "method": "dialog",
        "decisions": {c.id: c.required for c in registry.categories},
        "revision": registry.revision,
        "registry": "sha256:" + hashlib.sha256((ROOT / "consent.yml").read_bytes()).hexdigest(),
        "policy_version": latest["date"].isoformat(),
        "policy_fingerprint": latest["files"][f"{language}/privacy.md"],
        "language": language,
    }
    assert language in registry.languages
    assert latest["registry"].startswith("sha256:")  # the same form as the receipt's
    stored = contract.parse(json.dumps(data).encode(), NOW)
    assert stored.as_json() == data
    assert stored.decisions == {"necessary": True, "analytics": False, "advertising": False}


def test_a_site_without_published_versions_sends_nulls():
    data = receipt(policy_version=None, policy_fingerprint=None)
    assert contract.parse(json.dumps(data).encode(), NOW).policy_version is None


def test_the_same_receipt_has_the_same_digest_and_any_change_another():
    data = receipt(time="2026-12-04T10:15:30.123Z")
    first = contract.parse(json.dumps(data).encode(), NOW)
    # Key order and spacing do not matter: the content does.
    again = contract.parse(json.dumps(dict(reversed(data.items())), indent=2).encode(), NOW)
    assert first.digest == again.digest
    other = dict(data, decisions={**data["decisions"], "analytics": True})
    assert contract.parse(json.dumps(other).encode(), NOW).digest != first.digest


def test_unknown_fields_are_refused_by_name():
    data = receipt(ip="203.0.113.7", user_agent="Mozilla/5.0")
    assert problems(data) == [
        "receipt: unknown field 'ip', 'user_agent' (a receipt has only: v, receipt_id, "
        "consent_id, time, method, decisions, revision, registry, policy_version, "
        "policy_fingerprint, language)"
    ]


def test_every_problem_is_named_at_once():
    data = receipt(
        v=2,
        receipt_id="x",
        method="popup",
        revision="2",
        decisions={"analytics": "yes"},
        registry="sha1:abc",
        language="japanese",
    )
    del data["consent_id"]
    found = problems(data)
    assert len(found) == 8, found
    assert "receipt: 'consent_id' is a required property" in found
    assert "v: 1 was expected" in found
    assert any(p.startswith("receipt_id: 'x' is not valid: 128 random bits") for p in found)
    assert "method: 'popup' is not one of ['banner', 'dialog', 'gpc', 'reset']" in found
    assert "revision: '2' is not of type 'integer'" in found
    assert "decisions.analytics: 'yes' is not of type 'boolean'" in found
    assert "registry: 'sha1:abc' is not valid: sha256: and 64 lower-case hexadecimal digits." in (
        found
    )
    assert any(p.startswith("language: 'japanese' is not valid") for p in found)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        (
            {"time": "2026-02-30T10:00:00.000Z"},
            "time: '2026-02-30T10:00:00.000Z' is not a real time",
        ),
        ({"time": "2026-12-04T10:00:00+09:00"}, "time: '2026-12-04T10:00:00+09:00' is not valid"),
        ({"time": "2019-12-31T23:59:59.999Z"}, "time: '2019-12-31T23:59:59.999Z' is before 2020"),
        (
            {"time": "2026-12-05T12:00:01.000Z"},
            "time: '2026-12-05T12:00:01.000Z' is more than a day ahead of the receiver's clock",
        ),
        ({"revision": 0}, "revision: 0 is less than the minimum of 1"),
        ({"revision": 2.5}, "revision: 2.5 is not of type 'integer'"),
        ({"revision": True}, "revision: True is not of type 'integer'"),
        ({"decisions": {}}, "decisions: no category: give each category's decision"),
        ({"decisions": {f"c{i}": True for i in range(33)}}, "decisions: 33 categories; at most 32"),
        ({"decisions": {"Analytics": True}}, "decisions: 'Analytics' is not valid"),
        ({"decisions": {"analytics": 1}}, "decisions.analytics: 1 is not of type 'boolean'"),
        ({"receipt_id": "a" * 65}, "receipt_id: 'aaaaaaaaa"),
        ({"consent_id": "<script>"}, "consent_id: '<script>' is not valid"),
        ({"policy_version": "2026-13-01"}, "policy_version: '2026-13-01' is not a real date"),
        ({"policy_version": 20261126}, "policy_version: 20261126 is not valid: give a date"),
        (
            {"policy_fingerprint": "sha256:" + "A" * 64},
            "policy_fingerprint: 'sha256:AAAA",
        ),
        (
            {"policy_fingerprint": None},
            "policy_fingerprint: give policy_version and policy_fingerprint together",
        ),
        ({"language": "JA"}, "language: 'JA' is not valid"),
    ],
)
def test_impossible_values_are_refused(fields, problem):
    found = problems(receipt(**fields))
    assert any(p.startswith(problem) for p in found), found


def test_a_day_of_clock_skew_is_accepted():
    assert contract.parse(json.dumps(receipt(time="2026-12-05T11:59:59.000Z")).encode(), NOW)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"v": 1, "v": 1}', "the body is not JSON: key 'v' appears twice"),
        (b'{"revision": NaN}', "the body is not JSON: NaN is not a JSON number"),
        (b"\xff{}", "the body is not UTF-8 text (byte 0)"),
        (b'{"v": 1', "the body is not JSON: Expecting ',' delimiter (line 1, column 8)"),
        (b"", "the body is not JSON: Expecting value (line 1, column 1)"),
    ],
)
def test_unreadable_bodies_are_400(body, problem):
    with pytest.raises(contract.ReceiptError) as refused:
        contract.parse(body, NOW)
    assert (refused.value.status, refused.value.problems) == (400, [problem])


def test_a_json_value_that_is_not_an_object_is_invalid():
    assert problems(b"[1, 2]") == ["a receipt is a JSON object ({...})"]


def test_problems_quote_little_of_what_was_sent():
    found = problems(receipt(consent_id="x" * 5000, decisions={"a" * 3000: True}))
    assert all(len(p) < 400 for p in found), found
