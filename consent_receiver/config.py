"""The receiver's settings, and the readers of the values an operator writes (command-line
options or CONSENT_RECEIVER_* environment variables): each bad value gets one plain sentence
that names the option and shows the expected form."""

from __future__ import annotations

import datetime
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy
from sqlalchemy.engine import make_url

DEFAULT_DATABASE = "sqlite:///receipts.db"
DEFAULT_RATE_LIMIT = "120/minute"
RECORD_IP = ("none", "network", "full")
PERIODS = {"second": 1, "minute": 60, "hour": 3600}


class SettingError(ValueError):
    """A value the operator wrote that cannot be used; str() says which and why."""


@dataclass(frozen=True)
class RateLimit:
    requests: int
    seconds: int

    def __str__(self) -> str:
        unit = next(name for name, length in PERIODS.items() if length == self.seconds)
        return f"{self.requests}/{unit}"


@dataclass(frozen=True)
class Settings:
    database: sqlalchemy.URL
    allow_origins: tuple[str, ...]
    rate_limit: RateLimit | None = RateLimit(120, 60)
    # What the receiver adds to a receipt about the sender: nothing unless asked (the
    # policy text must then say so).
    record_ip: str = "none"
    record_user_agent: bool = False
    # Answers 503 and 429 tell the sender when to try again (seconds).
    retry_after: int = 10


def database_url(value: str) -> sqlalchemy.URL:
    """sqlite:///FILE, or postgresql://… (libpq's form; psycopg 3 is the driver)."""
    try:
        url = make_url(value)
    except sqlalchemy.exc.ArgumentError:
        raise SettingError(
            f"--database: {value!r} is not a database URL; give sqlite:///receipts.db or "
            f"postgresql://USER@HOST/DATABASE"
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if url.drivername != "sqlite" or not url.database or url.database == ":memory:":
            raise SettingError(
                f"--database: {value!r}: give SQLite a file, as sqlite:///receipts.db "
                f"(relative) or sqlite:////var/lib/consent-receiver/receipts.db (absolute)"
            )
        return url
    raise SettingError(
        f"--database: {backend!r} is not supported: give sqlite:///receipts.db or "
        f"postgresql://USER@HOST/DATABASE"
    )


def origin(value: str) -> str:
    """A site's origin as browsers send it: scheme://host[:port], nothing after it."""
    parts = urlsplit(value.strip())
    if (
        parts.scheme not in ("https", "http")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise SettingError(
            f"--allow-origin: {value!r} is not an origin; give the site's scheme and host, "
            f"as https://tsunagu-denki.com (no path, no trailing slash)"
        )
    try:
        port = parts.port
    except ValueError:
        raise SettingError(f"--allow-origin: {value!r} has an impossible port") from None
    default = {"https": 443, "http": 80}[parts.scheme]
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def origins(values: list[str]) -> tuple[str, ...]:
    """Origins from repeated options, or from one variable separated by commas or spaces."""
    found = [origin(part) for value in values for part in re.split(r"[\s,]+", value) if part]
    if not found:
        raise SettingError(
            "--allow-origin: give the site's origin (e.g. --allow-origin "
            "https://tsunagu-denki.com): the receiver takes receipts only from the sites named"
        )
    return tuple(dict.fromkeys(found))


def rate_limit(value: str) -> RateLimit | None:
    """`120/minute` (also /second, /hour), or `off`."""
    if value.strip().lower() == "off":
        return None
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(second|minute|hour)\s*", value)
    if not match or int(match[1]) < 1:
        raise SettingError(
            f"--rate-limit: {value!r}: give receipts per client per period, as 120/minute "
            f"(or /second, /hour), or off"
        )
    return RateLimit(int(match[1]), PERIODS[match[2]])


def record_ip(value: str) -> str:
    if value not in RECORD_IP:
        raise SettingError(f"--record-ip: {value!r}: give one of {', '.join(RECORD_IP)}")
    return value


def retry_after(value: int) -> int:
    if not 1 <= value <= 3600:
        raise SettingError(f"--retry-after: {value}: give seconds from 1 to 3600")
    return value


def stored_ip(address: str | None, mode: str) -> str | None:
    """The sender's address as the operator chose to keep it: not at all, its network
    (IPv4 /24, IPv6 /48: the visitor's provider and area, not the line), or whole."""
    if mode == "none" or not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if mode == "full":
        return str(ip)
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def duration(value: str, now: datetime.datetime) -> datetime.datetime:
    """`--older-than 400d` (days), `60w` (weeks) or `3y` (calendar years): the cut-off time."""
    match = re.fullmatch(r"\s*(\d+)\s*([dwy])\s*", value)
    if not match or int(match[1]) < 1:
        raise SettingError(
            f"--older-than: {value!r}: give an age in days, weeks or years, as 400d, 60w or 3y"
        )
    count, unit = int(match[1]), match[2]
    if unit == "y":
        year = now.year - count
        try:
            return now.replace(year=year)
        except ValueError:  # 29 February → 28 February
            return now.replace(year=year, day=28)
    return now - datetime.timedelta(days=count * (7 if unit == "w" else 1))


def moment(value: str, option: str, end: bool = False) -> datetime.datetime:
    """`--from` / `--to`: a date (a whole day, UTC: `--to` includes it) or a time with its
    offset (2027-01-31T12:00:00+09:00). Returned as the boundary: from ≤ t < to."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            day = datetime.date.fromisoformat(value.strip())
            start = datetime.datetime.combine(day, datetime.time(), datetime.UTC)
            return start + datetime.timedelta(days=1) if end else start
        time = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise SettingError(
            f"{option}: {value!r} is not a real date or time; give 2027-01-31 or "
            f"2027-01-31T12:00:00+09:00"
        ) from None
    if time.tzinfo is None:
        raise SettingError(
            f"{option}: {value!r}: say the time zone, as 2027-01-31T12:00:00+09:00 or …Z"
        )
    return time.astimezone(datetime.UTC)
