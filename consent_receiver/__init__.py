"""Reference receiver of consent receipts: the operator's proof of each visitor's choice.

    pip install 'policy-site[receiver]'
    python -m consent_receiver serve --database sqlite:///receipts.db \\
        --allow-origin https://tsunagu-denki.com

The receipt (the contract, stated once in `receipt.schema.json`): one JSON object per choice,
POSTed to `/receipts` as `application/json` (or `text/plain`, as navigator.sendBeacon sends it),
at most 8 KiB:

    {"v": 1,
     "receipt_id": "1k3x9ab-0f2kq1-3m8zz0-9qq1w2",   # new for each choice; the idempotency key
     "consent_id": "2p0c1w-5tq8k3-1d9f0e-7hh2j4",    # the record's id (cookie `id`)
     "time": "2026-12-04T10:15:30.123Z",             # new Date(record.ts).toISOString()
     "method": "banner",                             # banner | dialog | gpc | reset
     "decisions": {"necessary": true, "analytics": false, "advertising": false},
     "revision": 2,                                  # consent.yml `revision`
     "registry": "sha256:…",                         # sha256 of consent.yml as built
     "policy_version": "2026-11-26",                 # policy-versions/versions.yml, or null
     "policy_fingerprint": "sha256:…",               # that version's page in this language, or null
     "language": "ja"}

Nothing else is accepted (an unknown field is refused), so no IP address or user agent travels
in it. The receiver stores, besides the receipt, when it received it and from which site
(Origin); the sender's address (whole or its network) and user agent only when the operator
starts it with `--record-ip` / `--record-user-agent`, and the policy text must then say so.

Answers, and what the sender (the widget's outbox) does with each:

    201 stored            acknowledged: drop the receipt from the outbox
    200 already stored    acknowledged (a retry of a stored receipt): drop it
    400 unreadable        not JSON / not UTF-8 / a key twice: drop it, never retry
    409 conflict          receipt_id already used by a different receipt: drop it, never retry
    413 too large         over 8 KiB: drop it, never retry
    415 media type        not application/json or text/plain: drop it, never retry
    422 invalid           against the contract (field named in `problems`): drop it, never retry
    429 rate limited      keep it; send again after Retry-After seconds
    503 unavailable       the database is unreachable: keep it; send again after Retry-After
    anything else         (404, 5xx, a network error, a CORS failure) keep it and retry later

Every answer is JSON: {"status": …, "receipt_id": …} or {"status": …, "problems": […]}; CORS
exposes Retry-After. A POST whose Origin is not configured gets 403 without CORS headers: the
browser reports a network error, so the widget keeps the receipt (the operator's configuration,
not the receipt, is wrong). Retrying is always safe: the same receipt_id is stored once.

Modules: contract (schema + checks, pure), config (settings and their readers), store
(SQLAlchemy Core: SQLite or PostgreSQL), app (Starlette endpoints), export (CSV, JSON Lines),
__main__ (serve, migrate, export, purge).
"""
