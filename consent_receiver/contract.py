"""The receipt contract: `receipt.schema.json` (the one statement of it, also for the widget and
for auditors), plus what a schema cannot say: a time that exists, not before 2020 nor more than
a day ahead of the receiver's clock, and a policy date that exists.

Pure: bytes in, a frozen `Receipt` or a `ReceiptError` naming every problem out.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

# A receipt with 32 categories of 64-character ids is under 4 KiB: twice that is generous.
MAX_BODY_BYTES = 8 * 1024
# Visitors' clocks are often wrong by hours (a wrong time zone shows as a wrong UTC time).
CLOCK_SKEW = datetime.timedelta(days=1)
EARLIEST = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
# An error answer lists at most this many problems, each value quoted at most this long.
MAX_PROBLEMS = 10
MAX_QUOTED = 60


class ReceiptError(Exception):
    """A receipt refused for good: `status` is the HTTP answer (400 unreadable, 422 invalid)."""

    def __init__(self, status: int, problems: list[str]):
        self.status = status
        self.problems = problems[:MAX_PROBLEMS]
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Receipt:
    receipt_id: str
    consent_id: str
    time: datetime.datetime  # aware, UTC
    method: str
    decisions: Mapping[str, bool]
    revision: int
    registry: str
    policy_version: datetime.date | None
    policy_fingerprint: str | None
    language: str

    @property
    def digest(self) -> str:
        """sha256 of the receipt's content: a resent receipt has the same one, a different
        receipt under a used receipt_id does not."""
        return hashlib.sha256(
            json.dumps(self.as_json(), sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()

    def as_json(self) -> dict[str, Any]:
        """The receipt as the contract writes it."""
        return {
            "v": 1,
            "receipt_id": self.receipt_id,
            "consent_id": self.consent_id,
            "time": iso_time(self.time),
            "method": self.method,
            "decisions": dict(self.decisions),
            "revision": self.revision,
            "registry": self.registry,
            "policy_version": self.policy_version.isoformat() if self.policy_version else None,
            "policy_fingerprint": self.policy_fingerprint,
            "language": self.language,
        }


def iso_time(value: datetime.datetime) -> str:
    """UTC with milliseconds and Z, as JavaScript's toISOString() writes it."""
    utc = value.astimezone(datetime.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@cache
def schema() -> dict:
    return json.loads(
        resources.files(__package__).joinpath("receipt.schema.json").read_text("utf-8")
    )


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def parse(body: bytes, now: datetime.datetime) -> Receipt:
    """A receipt from a request body; ReceiptError (400 or 422) naming what is wrong."""
    return validate(read_json(body), now)


def read_json(body: bytes) -> Any:
    """Strict JSON: UTF-8, no duplicate keys (which one would count?), no NaN or Infinity."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReceiptError(400, [f"the body is not UTF-8 text (byte {exc.start})"]) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ReceiptError(
            400, [f"the body is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from None
    except ValueError as exc:
        raise ReceiptError(400, [f"the body is not JSON: {exc}"]) from None
    except RecursionError:  # [[[[…]]]]: a few kilobytes pass Python's recursion limit
        raise ReceiptError(
            400, ["the body is not JSON a receipt could be: nested too deeply"]
        ) from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"key {_quote(key)} appears twice")
        seen[key] = value
    return seen


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def validate(data: Any, now: datetime.datetime) -> Receipt:
    """A receipt from parsed JSON: every problem at once, each naming its key."""
    if not isinstance(data, dict):
        raise ReceiptError(422, ["a receipt is a JSON object ({...})"])
    problems = [
        f"{_where(error.absolute_path)}: {_shorten(_explain(error))}"
        for error in sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    ]
    time = policy_version = None
    if isinstance(data.get("time"), str) and not any(p.startswith("time:") for p in problems):
        time, problem = _check_time(data["time"], now)
        if problem:
            problems.append(f"time: {problem}")
    version = data.get("policy_version")
    if isinstance(version, str) and not any(p.startswith("policy_version:") for p in problems):
        try:
            policy_version = datetime.date.fromisoformat(version)
        except ValueError:
            problems.append(f"policy_version: {_quote(version)} is not a real date")
    if (data.get("policy_version") is None) != (data.get("policy_fingerprint") is None):
        problems.append(
            "policy_fingerprint: give policy_version and policy_fingerprint together, "
            "or neither (null)"
        )
    if problems:
        raise ReceiptError(422, problems)
    assert time is not None
    return Receipt(
        receipt_id=data["receipt_id"],
        consent_id=data["consent_id"],
        time=time,
        method=data["method"],
        decisions=dict(data["decisions"]),
        revision=data["revision"],
        registry=data["registry"],
        policy_version=policy_version,
        policy_fingerprint=data.get("policy_fingerprint"),
        language=data["language"],
    )


def _check_time(value: str, now: datetime.datetime) -> tuple[datetime.datetime | None, str | None]:
    try:
        time = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None, f"{_quote(value)} is not a real time"
    if time < EARLIEST:
        return None, f"{_quote(value)} is before 2020: no receipt is that old"
    if time > now + CLOCK_SKEW:
        return None, (
            f"{_quote(value)} is more than a day ahead of the receiver's clock ({iso_time(now)})"
        )
    return time, None


def _where(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "receipt"


def _explain(error: jsonschema.ValidationError) -> str:
    """jsonschema's words, except where the schema's own description says it better."""
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "pattern" and description:
        return f"{_quote(error.instance)} is not valid: {description}"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        unknown = ", ".join(_quote(k) for k in error.instance if k not in known)
        return f"unknown field {unknown} (a receipt has only: {', '.join(known)})"
    if error.validator == "maxProperties":
        return f"{len(error.instance)} categories; at most {error.validator_value}"
    if error.validator == "minProperties":
        return "no category: give each category's decision"
    if error.validator == "anyOf":
        # policy_version / policy_fingerprint: a string of the right form, or null.
        branches = [b for b in error.schema["anyOf"] if b.get("type") != "null"]
        wanted = branches[0].get("$ref", "").rsplit("/", 1)[-1] or "a date YYYY-MM-DD"
        shape = {"fingerprint": "sha256: and 64 lower-case hex digits"}.get(wanted, wanted)
        return f"{_quote(error.instance)} is not valid: give {shape}, or null"
    return error.message


def _quote(value: Any) -> str:
    return _shorten(repr(value), MAX_QUOTED)


def _shorten(text: str, limit: int = 4 * MAX_QUOTED) -> str:
    """The problem lists quote what the sender sent: never a whole body back."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
