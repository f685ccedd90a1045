"""Reading one dead-lettered message, masking secrets, and the filters' words."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ticketstock.dlq_cli import duration
from ticketstock.dlq_message import redact, redact_text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("amqp://guest:guest@127.0.0.1:5672/", "amqp://guest:***@127.0.0.1:5672/"),
        (
            "at redis://:pw@127.0.0.1:6379/0 down",
            "at redis://:***@127.0.0.1:6379/0 down",
        ),
        ("no URL here: a:b@c", "no URL here: a:b@c"),
        ("http://127.0.0.1:8080/api", "http://127.0.0.1:8080/api"),
    ],
)
def test_the_password_of_a_url_in_text_is_masked(text: str, shown: str) -> None:
    assert redact_text(text) == shown


def test_header_values_under_secret_names_are_masked_at_any_depth() -> None:
    died = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    headers = {
        "x-api-key": "k",
        "X-Password": "p",
        "client_secret": "s",
        "x-token": "t",
        "Authorization": "Bearer b",
        "x-nested": {"session-token": "t2", "plain": Decimal("1.5")},
        "x-death": [{"routing-keys": ["ts.tickets"], "time": died, "count": 1}],
        "x-ts-reason": "amqp://u:pw@127.0.0.1/",
        "x-raw": b"bytes",
    }

    shown = redact(headers)

    assert shown == {
        "x-api-key": "***",
        "X-Password": "***",
        "client_secret": "***",
        "x-token": "***",
        "Authorization": "***",
        "x-nested": {"session-token": "***", "plain": "1.5"},
        "x-death": [
            {"routing-keys": ["ts.tickets"], "time": died.isoformat(), "count": 1}
        ],
        "x-ts-reason": "amqp://u:***@127.0.0.1/",
        "x-raw": "bytes",
    }


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("90s", 90),
        ("15m", 900),
        ("2h", 7200),
        ("1.5d", 129600),
        ("1w", 604800),
    ],
)
def test_ages_are_read_in_seconds_minutes_hours_days_or_weeks(
    text: str, seconds: int
) -> None:
    assert duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "h", "-5m", "3 years", "5x"])
def test_a_malformed_age_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="try 15m"):
        duration(text)
