"""The readers of what an operator writes (config.py), directly: origins as browsers send them,
the address kept as asked, rate limits and retention ages."""

from __future__ import annotations

import datetime

import pytest

from consent_receiver import config


@pytest.mark.parametrize(
    ("written", "sent_by_browsers"),
    [
        ("https://tsunagu-denki.com", "https://tsunagu-denki.com"),
        ("https://tsunagu-denki.com/", "https://tsunagu-denki.com"),
        ("HTTPS://Tsunagu-Denki.COM:443", "https://tsunagu-denki.com"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443"),
    ],
)
def test_origins_are_written_as_browsers_send_them(written, sent_by_browsers):
    assert config.origin(written) == sent_by_browsers


@pytest.mark.parametrize(
    "written",
    ["tsunagu-denki.com", "https://tsunagu-denki.com/privacy/", "ftp://x.example", "https://",
     "https://a.example?x", "https://user@a.example", "https://a.example:99999"],
)  # fmt: skip
def test_what_is_not_an_origin_is_refused(written):
    with pytest.raises(config.SettingError, match=r"^--allow-origin: "):
        config.origin(written)


def test_origins_from_a_variable_are_split_and_deduplicated():
    assert config.origins(["https://a.example, https://b.example https://a.example/"]) == (
        "https://a.example",
        "https://b.example",
    )


@pytest.mark.parametrize(
    ("mode", "address", "kept"),
    [
        ("none", "203.0.113.77", None),
        ("network", "203.0.113.77", "203.0.113.0/24"),
        ("network", "2001:db8:1234:5678::9", "2001:db8:1234::/48"),
        ("full", "2001:db8:1234:5678::9", "2001:db8:1234:5678::9"),
        ("full", "not an address", None),
    ],
)
def test_the_address_is_kept_as_the_operator_asked(mode, address, kept):
    assert config.stored_ip(address, mode) == kept


def test_rate_limits():
    assert config.rate_limit("120/minute") == config.RateLimit(120, 60)
    assert config.rate_limit(" 5 / hour ") == config.RateLimit(5, 3600)
    assert config.rate_limit("OFF") is None
    assert str(config.RateLimit(10, 1)) == "10/second"
    for bad in ("0/minute", "120", "120/day", "-1/second"):
        with pytest.raises(config.SettingError, match=r"^--rate-limit: "):
            config.rate_limit(bad)


def test_retention_ages_count_calendar_years():
    now = datetime.datetime(2028, 2, 29, 12, 0, tzinfo=datetime.UTC)
    assert config.duration("1y", now) == datetime.datetime(2027, 2, 28, 12, 0, tzinfo=datetime.UTC)
    assert config.duration("4y", now) == datetime.datetime(2024, 2, 29, 12, 0, tzinfo=datetime.UTC)
    assert config.duration("2w", now) == now - datetime.timedelta(days=14)
    assert config.duration("400d", now) == now - datetime.timedelta(days=400)
    with pytest.raises(config.SettingError, match=r"^--older-than: '0d'"):
        config.duration("0d", now)


def test_databases():
    assert config.database_url("postgresql://u@db/receipts").drivername == "postgresql+psycopg"
    assert config.database_url("postgres://u@db/receipts").drivername == "postgresql+psycopg"
    assert config.database_url("sqlite:///receipts.db").database == "receipts.db"
    for bad in ("sqlite://", "sqlite:///:memory:", "sqlite+aiosqlite:///x.db"):
        with pytest.raises(config.SettingError, match=r"^--database: .*give SQLite a file"):
            config.database_url(bad)
