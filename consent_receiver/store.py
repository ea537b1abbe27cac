"""Where receipts are kept: SQLAlchemy Core over SQLite (the embedded default) or PostgreSQL.

Everything an instance needs to agree with the others lives in the database: the receipts
(unique on receipt_id, so a retry or a second instance never makes a duplicate), the rate
limit's counters and the key that turns a client's address into a counter name. Instances keep
no state of their own, so any number can run against one PostgreSQL.

A database that cannot be reached now (stopped, restarting, locked, out of connections)
raises `DatabaseUnavailable`: the receiver answers 503 and the sender tries again later.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import hmac
import logging
import math
import secrets
import threading
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from .config import RateLimit
from .contract import Receipt, iso_time

log = logging.getLogger("consent_receiver")

SCHEMA_VERSION = 1
# Any constant: PostgreSQL's advisory lock that makes concurrent migrations take turns.
MIGRATION_LOCK = 0x636F6E73656E74  # "consent"
PURGE_BATCH = 5000


class DatabaseUnavailable(Exception):
    """The database cannot be used right now; the same request may succeed later."""


class DatabaseError(Exception):
    """The database cannot be used by this receiver (a newer schema, a file it cannot open)."""


class UTCDateTime(sa.TypeDecorator):
    """Times stored as UTC and read back aware, on both databases (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = value.astimezone(datetime.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value


metadata = sa.MetaData()

receipts = sa.Table(
    "consent_receipts",
    metadata,
    sa.Column("receipt_id", sa.String(64), primary_key=True),
    sa.Column("consent_id", sa.String(64), nullable=False, index=True),
    sa.Column("given_at", UTCDateTime(), nullable=False),  # the visitor's clock
    sa.Column("received_at", UTCDateTime(), nullable=False, index=True),  # the receiver's
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("decisions", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("registry", sa.String(71), nullable=False),
    sa.Column("policy_version", sa.Date),
    sa.Column("policy_fingerprint", sa.String(71)),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("origin", sa.String(255), nullable=False),
    sa.Column("client_ip", sa.String(64)),  # only when the operator asks for it
    sa.Column("user_agent", sa.String(512)),  # only when the operator asks for it
    sa.Column("digest", sa.String(64), nullable=False),
)

rate_counters = sa.Table(
    "consent_rate_counters",
    metadata,
    sa.Column("client", sa.String(64), primary_key=True),  # keyed hash of the address
    sa.Column("window_start", sa.BigInteger, primary_key=True),  # epoch seconds
    sa.Column("hits", sa.Integer, nullable=False),
)

meta = sa.Table(
    "consent_receiver_meta",
    metadata,
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("value", sa.String(128), nullable=False),
)

# Columns of an export, in order: the receipt as sent, then what the receiver added.
EXPORT_COLUMNS = (
    "receipt_id",
    "consent_id",
    "time",
    "received_at",
    "method",
    "decisions",
    "revision",
    "registry",
    "policy_version",
    "policy_fingerprint",
    "language",
    "origin",
    "client_ip",
    "user_agent",
)


class Outcome(enum.Enum):
    STORED = "stored"
    ALREADY_STORED = "already stored"
    CONFLICT = "conflict"  # the receipt_id is taken by a different receipt
    RATE_LIMITED = "rate limited"


@dataclass(frozen=True)
class Saved:
    outcome: Outcome
    retry_after: int = 0  # seconds, when rate limited


@dataclass(frozen=True)
class Sender:
    """Who sent a receipt, as far as the receiver is told to keep it."""

    origin: str
    address: str | None  # for the rate limit only; never stored as such
    client_ip: str | None = None  # stored, when the operator asks for it
    user_agent: str | None = None  # stored, when the operator asks for it


def _unavailable(function):
    """Database errors that pass (connection lost or refused, locked, pool exhausted) become
    DatabaseUnavailable; the connection pool drops the broken connections by itself."""

    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError) as exc:
            raise DatabaseUnavailable(_first_line(exc)) from exc

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


def _first_line(exc: Exception) -> str:
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


def create_engine(url: sa.URL) -> sa.Engine:
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": 10})

        @event.listens_for(engine, "connect")
        def _sqlite_settings(connection, _record):
            # WAL: readers (export, health) never block the writer; FULL: an acknowledged
            # receipt survives a power cut.
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        return engine
    return sa.create_engine(
        url,
        # A connection broken by a database restart is noticed before use, not by a visitor.
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        pool_timeout=5,
        pool_recycle=1800,
        connect_args={"connect_timeout": 5, "application_name": "consent_receiver"},
    )


class Store:
    def __init__(self, url: sa.URL, engine: sa.Engine | None = None):
        self.url = url
        self.engine = engine or create_engine(url)
        self.dialect = self.engine.dialect.name
        self._client_key: bytes | None = None
        self._migrate_lock = threading.Lock()
        # SQLite has one writer at a time: queue them here, in order, rather than in SQLite's
        # busy handler, whose sleeps and retries gave seconds-long latency tails under load.
        self._write_lock = threading.Lock() if self.dialect == "sqlite" else nullcontext()

    @property
    def ready(self) -> bool:
        return self._client_key is not None

    def dispose(self) -> None:
        self.engine.dispose()

    # --- schema ---------------------------------------------------------------------

    @_unavailable
    def migrate(self) -> None:
        """Create what is missing, idempotently; safe when several instances start at once
        (PostgreSQL: they take turns on an advisory lock; SQLite: each statement is atomic)."""
        with self._migrate_lock:
            if self.ready:
                return
            with self.engine.begin() as connection:
                if self.dialect == "postgresql":
                    connection.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))
                for table in metadata.sorted_tables:
                    connection.execute(CreateTable(table, if_not_exists=True))
                    for index in table.indexes:
                        connection.execute(CreateIndex(index, if_not_exists=True))
                connection.execute(
                    self._insert(meta)
                    .values(
                        [
                            {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                            {"key": "client_key", "value": secrets.token_hex(32)},
                        ]
                    )
                    .on_conflict_do_nothing()
                )
                values = dict(connection.execute(sa.select(meta.c.key, meta.c.value)).all())
            version = int(values["schema_version"])
            if version > SCHEMA_VERSION:
                raise DatabaseError(
                    f"the database's receipts schema is version {version}; this receiver "
                    f"knows version {SCHEMA_VERSION}: upgrade the receiver"
                )
            self._client_key = bytes.fromhex(values["client_key"])

    def _insert(self, table: sa.Table):
        return (postgresql if self.dialect == "postgresql" else sqlite).insert(table)

    # --- receipts -------------------------------------------------------------------

    @_unavailable
    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(sa.select(1))

    @_unavailable
    def save(
        self,
        receipt: Receipt,
        sender: Sender,
        now: datetime.datetime,
        limit: RateLimit | None,
    ) -> Saved:
        """Count the request against its sender's limit, then store the receipt once."""
        if not self.ready:
            self.migrate()
        with self._write_lock, self.engine.connect() as connection:
            if limit is not None:
                hits, retry_after = self._count(connection, sender.address, now, limit)
                if hits > limit.requests:
                    connection.rollback()  # the counter stays at the limit: no drift
                    return Saved(Outcome.RATE_LIMITED, retry_after)
            stored = connection.execute(
                self._insert(receipts)
                .values(
                    receipt_id=receipt.receipt_id,
                    consent_id=receipt.consent_id,
                    given_at=receipt.time,
                    received_at=now,
                    method=receipt.method,
                    decisions=dict(receipt.decisions),
                    revision=receipt.revision,
                    registry=receipt.registry,
                    policy_version=receipt.policy_version,
                    policy_fingerprint=receipt.policy_fingerprint,
                    language=receipt.language,
                    origin=sender.origin,
                    client_ip=sender.client_ip,
                    user_agent=sender.user_agent,
                    digest=receipt.digest,
                )
                .on_conflict_do_nothing(index_elements=[receipts.c.receipt_id])
                .returning(receipts.c.receipt_id)
            ).first()
            if stored is None:
                digest = connection.execute(
                    sa.select(receipts.c.digest).where(receipts.c.receipt_id == receipt.receipt_id)
                ).scalar_one()
            # Acknowledged only once committed: a 201 is a receipt that survives.
            connection.commit()
        if stored is not None:
            return Saved(Outcome.STORED)
        return Saved(Outcome.ALREADY_STORED if digest == receipt.digest else Outcome.CONFLICT)

    def _count(
        self, connection: sa.Connection, address: str | None, now: datetime.datetime, limit
    ) -> tuple[int, int]:
        """One fixed window per client and period, counted in the database (so across
        instances). The client is named by a keyed hash: no address is kept."""
        assert self._client_key is not None
        client = hmac.new(self._client_key, (address or "").encode(), hashlib.sha256)
        epoch = now.timestamp()
        window = int(epoch // limit.seconds) * limit.seconds
        statement = self._insert(rate_counters).values(
            client=client.hexdigest()[:32], window_start=window, hits=1
        )
        hits = connection.execute(
            statement.on_conflict_do_update(
                index_elements=[rate_counters.c.client, rate_counters.c.window_start],
                set_={"hits": rate_counters.c.hits + 1},
            ).returning(rate_counters.c.hits)
        ).scalar_one()
        return hits, max(1, math.ceil(window + limit.seconds - epoch))

    @_unavailable
    def forget_counters(self, now: datetime.datetime, limit: RateLimit) -> int:
        """Remove the counters of windows that are over (any instance may; all agree)."""
        before = int(now.timestamp()) - 2 * limit.seconds
        with self.engine.begin() as connection:
            return connection.execute(
                sa.delete(rate_counters).where(rate_counters.c.window_start < before)
            ).rowcount

    # --- auditor and retention ------------------------------------------------------

    @_unavailable
    def count(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(receipts)).scalar()

    def rows(
        self,
        start: datetime.datetime | None = None,
        end: datetime.datetime | None = None,
        consent_id: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Stored receipts received in [start, end), oldest first, as export rows; streamed."""
        query = sa.select(receipts).order_by(receipts.c.received_at, receipts.c.receipt_id)
        if start is not None:
            query = query.where(receipts.c.received_at >= start)
        if end is not None:
            query = query.where(receipts.c.received_at < end)
        if consent_id is not None:
            query = query.where(receipts.c.consent_id == consent_id)
        try:
            with self.engine.connect() as connection:
                result = connection.execution_options(stream_results=True, yield_per=1000)
                for row in result.execute(query).mappings():
                    version = row["policy_version"]
                    values = {
                        **row,
                        "time": iso_time(row["given_at"]),
                        "received_at": iso_time(row["received_at"]),
                        "policy_version": version.isoformat() if version else None,
                    }
                    yield {key: values[key] for key in EXPORT_COLUMNS}
        except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError) as exc:
            raise DatabaseUnavailable(_first_line(exc)) from exc

    @_unavailable
    def purge(self, before: datetime.datetime, dry_run: bool = False) -> int:
        """Delete receipts received before `before`, in batches (no long lock on the table);
        how many. With dry_run, only count them."""
        old = receipts.c.received_at < before
        if dry_run:
            with self.engine.connect() as connection:
                query = sa.select(sa.func.count()).select_from(receipts).where(old)
                return connection.execute(query).scalar()
        deleted = 0
        while True:
            with self.engine.begin() as connection:
                batch = sa.select(receipts.c.receipt_id).where(old).limit(PURGE_BATCH)
                gone = connection.execute(
                    sa.delete(receipts).where(receipts.c.receipt_id.in_(batch.scalar_subquery()))
                ).rowcount
            deleted += gone
            if gone < PURGE_BATCH:
                return deleted
