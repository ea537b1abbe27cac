"""Command line of the receiver.

    python -m consent_receiver serve --allow-origin https://tsunagu-denki.com
        [--database sqlite:///receipts.db | postgresql://USER@HOST/DB] [--host 127.0.0.1]
        [--port 8080] [--rate-limit 120/minute|off] [--record-ip none|network|full]
        [--record-user-agent] [--retry-after 10] [--forwarded-allow-ips 127.0.0.1]
        [--access-log]
    python -m consent_receiver migrate [--database URL]
    python -m consent_receiver export [--database URL] [--from DATE] [--to DATE]
        [--consent-id ID] --format csv|jsonl [-o FILE]
    python -m consent_receiver purge [--database URL] --older-than 3y|60w|400d [--dry-run]

Each option has an environment variable (CONSENT_RECEIVER_DATABASE, …_ALLOW_ORIGINS, …_RATE_LIMIT,
…_RECORD_IP, …_RECORD_USER_AGENT), so a service file or container keeps a password off the
command line. Exit status: 0 done, 1 the database failed, 2 a bad option.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import logging
import os
import sys
import tempfile
from pathlib import Path

from . import config
from .config import SettingError, Settings
from .export import FORMATS, write_csv, write_jsonl
from .store import DatabaseError, DatabaseUnavailable, Store

ENV = "CONSENT_RECEIVER_"


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(ENV + name, default)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m consent_receiver",
        description="Reference receiver of consent receipts (see README, 'Consent receipts').",
    )
    commands = main.add_subparsers(dest="command", required=True)

    def with_database(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--database",
            default=env("DATABASE", config.DEFAULT_DATABASE),
            help="sqlite:///FILE (default sqlite:///receipts.db) or postgresql://USER@HOST/DB "
            f"(or ${ENV}DATABASE)",
        )

    serve = commands.add_parser("serve", help="receive receipts over HTTP")
    with_database(serve)
    serve.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a site that sends receipts, e.g. https://tsunagu-denki.com; repeat for several "
        f"(or ${ENV}ALLOW_ORIGINS, separated by commas)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8080, help="port (0: any free one)")
    serve.add_argument(
        "--rate-limit",
        default=env("RATE_LIMIT", config.DEFAULT_RATE_LIMIT),
        help="receipts per client (address) per period, across all instances: 120/minute "
        "(default), /second, /hour, or off",
    )
    serve.add_argument(
        "--record-ip",
        default=env("RECORD_IP", "none"),
        help="keep the sender's address with each receipt: none (default), network (IPv4 /24, "
        "IPv6 /48) or full. The policy text must then say so",
    )
    serve.add_argument(
        "--record-user-agent",
        action="store_true",
        default=env("RECORD_USER_AGENT", "") in ("1", "true", "yes"),
        help="keep the browser's User-Agent with each receipt. The policy text must then say so",
    )
    serve.add_argument(
        "--retry-after",
        type=int,
        default=10,
        metavar="SECONDS",
        help="how long senders wait before trying again after 503 (default 10)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        help="proxies whose X-Forwarded-For names the client (default 127.0.0.1: a proxy on "
        "the same host); '*' trusts any",
    )
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log every request (with the client's address: off by default)",
    )

    migrate = commands.add_parser(
        "migrate", help="create or update the database's tables (serve does it too)"
    )
    with_database(migrate)

    export = commands.add_parser("export", help="receipts received in a period, for an auditor")
    with_database(export)
    export.add_argument(
        "--from", dest="start", metavar="DATE", help="first day (UTC) or time, included"
    )
    export.add_argument("--to", dest="end", metavar="DATE", help="last day (UTC), included")
    export.add_argument("--consent-id", help="only the receipts of this consent id")
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    purge = commands.add_parser("purge", help="delete receipts past their retention")
    with_database(purge)
    purge.add_argument(
        "--older-than",
        required=True,
        metavar="AGE",
        help="received longer ago than this: 400d, 60w or 3y",
    )
    purge.add_argument("--dry-run", action="store_true", help="only count them")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    try:
        store = Store(config.database_url(args.database))
        return COMMANDS[args.command](args, store)
    except SettingError as exc:
        print(f"consent_receiver: {exc}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as exc:
        print(f"consent_receiver: the database cannot be reached: {exc}", file=sys.stderr)
        return 1
    except DatabaseError as exc:
        print(f"consent_receiver: {exc}", file=sys.stderr)
        return 1


def serve(args, store: Store) -> int:
    import uvicorn

    from .app import create_app

    settings = Settings(
        database=store.url,
        allow_origins=config.origins(
            args.allow_origin or ([env("ALLOW_ORIGINS")] if env("ALLOW_ORIGINS") else [])
        ),
        rate_limit=config.rate_limit(args.rate_limit),
        record_ip=config.record_ip(args.record_ip),
        record_user_agent=args.record_user_agent,
        retry_after=config.retry_after(args.retry_after),
    )
    try:
        store.migrate()
    except DatabaseUnavailable as exc:
        if store.dialect == "sqlite":  # a local file: waiting will not bring it
            raise
        logging.getLogger("consent_receiver").warning(
            "database unreachable at start (%s): answering 503 until it is reachable", exc
        )
    print(
        f"consent_receiver: receipts into {store.url.render_as_string(hide_password=True)} "
        f"from {', '.join(settings.allow_origins)}; rate limit "
        f"{settings.rate_limit or 'off'}; recorded besides the receipt: IP address "
        f"{settings.record_ip}, user agent {'yes' if settings.record_user_agent else 'no'}",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        create_app(settings, store),
        host=args.host,
        port=args.port,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        access_log=args.access_log,
        server_header=False,
        log_level="info",
    )
    return 0


def migrate(args, store: Store) -> int:
    store.migrate()
    print(f"consent_receiver: schema ready in {store.url.render_as_string(hide_password=True)}")
    return 0


def export(args, store: Store) -> int:
    start = config.moment(args.start, "--from") if args.start else None
    end = config.moment(args.end, "--to", end=True) if args.end else None
    if start and end and end <= start:
        raise SettingError(f"--to {args.end} is before --from {args.start}")
    store.migrate()

    def rows():
        return store.rows(start, end, args.consent_id)

    with _output(args.output) as out:
        count = write_csv(rows, out) if args.format == "csv" else write_jsonl(rows(), out)
    span = f"received from {args.start or 'the first'} to {args.end or 'the last'}"
    where = f" → {args.output}" if args.output else ""
    print(f"consent_receiver: {receipts(count)} {span}{where}", file=sys.stderr)
    return 0


@contextlib.contextmanager
def _output(path: Path | None):
    """stdout, or a file written whole (replaced only once the export is complete)."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    folder = path.resolve().parent
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (renamed or removed below)
        "w", encoding="utf-8", newline="", dir=folder, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            yield handle
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def purge(args, store: Store) -> int:
    now = datetime.datetime.now(datetime.UTC)
    before = config.duration(args.older_than, now)
    store.migrate()
    count = store.purge(before, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    print(
        f"consent_receiver: {verb} {receipts(count)} received before "
        f"{before.isoformat(timespec='seconds')}"
    )
    return 0


def receipts(count: int) -> str:
    return f"{count} receipt" if count == 1 else f"{count} receipts"


COMMANDS = {"serve": serve, "migrate": migrate, "export": export, "purge": purge}


if __name__ == "__main__":
    sys.exit(main())
