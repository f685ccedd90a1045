"""Fixtures of the fault scenarios, and the table of what each one counted.

Every scenario records one row; the rows are printed after the test run, so a CI
log shows what was published, created, delivered, retried and dead-lettered.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import pytest

from tests.conftest import AMQP_URL
from tests.faults.rig import Rig
from tests.faults.tally import Tally
from ticketstock.sandbox.dolibarr_double import DolibarrDouble
from ticketstock.sandbox.smtp_sink import SmtpSink


@dataclass(frozen=True)
class Row:
    scenario: str
    tally: Tally
    seconds: float
    note: str


ROWS = pytest.StashKey[list[Row]]()

_COLUMNS = (
    ("scenario", 34),
    ("published", 9),
    ("tickets", 7),
    ("dup tk", 6),
    ("mails", 9),
    ("dup ml", 6),
    ("retries", 7),
    ("dead", 4),
    ("lost", 4),
    ("s", 5),
)


def _cells(row: Row) -> list[str]:
    t = row.tally
    return [
        row.scenario,
        str(t.published),
        f"{t.tickets}/{t.movements}",
        str(t.duplicate_tickets),
        f"{t.mails_delivered}/{t.mails_expected}",
        str(t.duplicate_mails),
        str(t.retries),
        str(t.dead_lettered),
        str(t.lost),
        f"{row.seconds:.1f}",
    ]


def pytest_configure(config: pytest.Config) -> None:
    config.stash[ROWS] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    rows = terminalreporter.config.stash.get(ROWS, [])
    if not rows:
        return
    terminalreporter.write_sep("=", "fault scenarios")
    header = " ".join(name.ljust(width) for name, width in _COLUMNS)
    terminalreporter.write_line(header + " note")
    for row in rows:
        cells = " ".join(
            cell.ljust(width)
            for cell, (_, width) in zip(_cells(row), _COLUMNS, strict=True)
        )
        terminalreporter.write_line(f"{cells} {row.note}")


Record = Callable[[str, Tally, str], None]


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Record:
    """Add this scenario's row to the table: its name, its tally and a note."""
    started = time.monotonic()

    def add(scenario: str, tally: Tally, note: str = "") -> None:
        seconds = time.monotonic() - started
        request.config.stash[ROWS].append(Row(scenario, tally, seconds, note))

    return add


@pytest.fixture
async def rig(
    prefix: str,
    double: DolibarrDouble,
    smtp: SmtpSink,
    company: dict[str, int],
    tmp_path: Path,
) -> AsyncIterator[Rig]:
    connection = await aio_pika.connect_robust(
        AMQP_URL, client_properties={"connection_name": f"pytest faults {prefix}"}
    )
    built = Rig(prefix, double, smtp, company, tmp_path, connection)
    try:
        yield built
    finally:
        await built.close()
        await connection.close()
