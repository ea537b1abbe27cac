"""The receiver's HTTP side (Starlette): POST /receipts and GET /health.

Each POST goes through, in order: the Origin (only the configured sites; 403), the media type
(415), the size (413, before and while reading), JSON and the contract (400, 422), then one
database transaction that counts the sender against the rate limit (429) and stores the receipt
once (201 stored, 200 already stored, 409 a different receipt under a used id). A database that
cannot be reached answers 503 with Retry-After. CORS is answered for the configured origins
only, and exposes Retry-After so the widget can read it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import contract
from .config import Settings, stored_ip
from .store import DatabaseError, DatabaseUnavailable, Outcome, Sender, Store

log = logging.getLogger("consent_receiver")

MEDIA_TYPES = ("application/json", "text/plain")  # text/plain: navigator.sendBeacon, no preflight
SWEEP_SECONDS = 60  # how often an instance removes rate-limit counters of past windows
STATUS = {Outcome.STORED: 201, Outcome.ALREADY_STORED: 200, Outcome.CONFLICT: 409}
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def answer(status: int, state: str, problems: list[str] | None = None, **extra) -> Response:
    body: dict = {"status": state, **extra}
    if problems is not None:
        body["problems"] = problems
    headers = dict(NO_STORE)
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return JSONResponse(body, status_code=status, headers=headers)


class Receiver:
    """The endpoints, over one Store and the operator's Settings."""

    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self.database_down = False  # only to log an outage once, and its end

    def unavailable(self, exc: Exception) -> Response:
        if not self.database_down:
            log.warning("database unavailable, answering 503 until it is back: %s", exc)
            self.database_down = True
        return answer(
            503,
            "database unavailable",
            ["the receipt was not stored; send it again later"],
            retry_after=self.settings.retry_after,
        )

    def recovered(self) -> None:
        if self.database_down:
            log.warning("database reachable again")
            self.database_down = False

    async def receipts(self, request: Request) -> Response:
        origin = request.headers.get("origin")
        if origin not in self.settings.allow_origins:
            return answer(
                403,
                "forbidden",
                [f"origin {origin!r} is not one of the sites this receiver serves"],
            )
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in MEDIA_TYPES:
            return answer(
                415,
                "unsupported media type",
                [f"send the receipt as application/json (found {media_type or 'none'!r})"],
            )
        too_large = answer(
            413,
            "too large",
            [f"a receipt is at most {contract.MAX_BODY_BYTES} bytes"],
        )
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > contract.MAX_BODY_BYTES:
            return too_large
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > contract.MAX_BODY_BYTES:
                    return too_large
        except ClientDisconnect:
            return Response(status_code=400)
        now = datetime.datetime.now(datetime.UTC)
        try:
            receipt = contract.parse(bytes(body), now)
        except contract.ReceiptError as exc:
            state = "unreadable" if exc.status == 400 else "invalid"
            return answer(exc.status, state, exc.problems)
        address = request.client.host if request.client else None
        sender = Sender(
            origin=origin,
            address=address,
            client_ip=stored_ip(address, self.settings.record_ip),
            user_agent=(
                request.headers.get("user-agent", "")[:512] or None
                if self.settings.record_user_agent
                else None
            ),
        )
        try:
            saved = await run_in_threadpool(
                self.store.save, receipt, sender, now, self.settings.rate_limit
            )
        except DatabaseUnavailable as exc:
            return self.unavailable(exc)
        except DatabaseError as exc:
            log.error("%s", exc)
            return answer(500, "receiver misconfigured", ["send the receipt again later"])
        self.recovered()
        if saved.outcome is Outcome.RATE_LIMITED:
            return answer(
                429,
                "rate limited",
                ["too many receipts from this client; send it again later"],
                retry_after=saved.retry_after,
            )
        if saved.outcome is Outcome.CONFLICT:
            return answer(
                409,
                "conflict",
                [f"receipt_id {receipt.receipt_id!r} is already stored with other content"],
            )
        return answer(STATUS[saved.outcome], saved.outcome.value, receipt_id=receipt.receipt_id)

    async def health(self, request: Request) -> Response:
        """200 when the database answers (and its schema is in place); 503 otherwise."""
        try:
            if not self.store.ready:
                await run_in_threadpool(self.store.migrate)
            await run_in_threadpool(self.store.ping)
        except DatabaseUnavailable as exc:
            self.unavailable(exc)
            return answer(
                503, "unavailable", ["database unreachable"], retry_after=self.settings.retry_after
            )
        except DatabaseError as exc:
            return answer(503, "unavailable", [str(exc)], retry_after=self.settings.retry_after)
        self.recovered()
        return answer(200, "ok", database=self.store.dialect)

    async def sweep(self) -> None:
        """Forget rate-limit counters of windows that are over, now and then."""
        limit = self.settings.rate_limit
        while limit is not None:
            await asyncio.sleep(SWEEP_SECONDS)
            now = datetime.datetime.now(datetime.UTC)
            with contextlib.suppress(DatabaseUnavailable):
                await run_in_threadpool(self.store.forget_counters, now, limit)


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    store = store or Store(settings.database)
    receiver = Receiver(settings, store)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        try:
            await run_in_threadpool(store.migrate)
        except DatabaseUnavailable as exc:
            receiver.unavailable(exc)
        sweeping = asyncio.create_task(receiver.sweep())
        try:
            yield
        finally:
            sweeping.cancel()
            store.dispose()

    return Starlette(
        routes=[
            Route("/receipts", receiver.receipts, methods=["POST"]),
            Route("/health", receiver.health, methods=["GET"]),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allow_origins),
                allow_methods=["POST"],
                allow_headers=["Content-Type"],
                expose_headers=["Retry-After"],
                max_age=7200,  # Chromium's ceiling: one preflight per visitor per two hours
            )
        ],
        lifespan=lifespan,
    )
