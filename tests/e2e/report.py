"""One line per case: passed, failed or skipped, and what the case saw.

A case notes what it observed with :meth:`Case.saw` as it goes; the outcome comes
from pytest's own report, so a failed assertion keeps the observations made
before it and adds its message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest


@dataclass
class Case:
    """What one case observed, in order."""

    title: str
    seen: list[str] = field(default_factory=list)

    def saw(self, text: str) -> None:
        self.seen.append(text)


@dataclass(frozen=True)
class Row:
    outcome: str
    title: str
    detail: str

    def line(self) -> str:
        return f"{self.outcome.upper():7} {self.title}: {self.detail}"


CASE = pytest.StashKey[Case]()
ROWS: list[Row] = []


def title_of(item: pytest.Item) -> str:
    """The case's title: its test name, which says what must hold, in words."""
    return item.name.removeprefix("test_").replace("_", " ")


def record(item: pytest.Item, report: pytest.TestReport) -> None:
    """Turn one phase's report into the case's row, once per case."""
    if report.when == "call" or (report.when == "setup" and not report.passed):
        case = item.stash.get(CASE, Case(title_of(item)))
        # A failure before the case ran is the stage's, not the case's.
        outcome = (
            "error" if report.when == "setup" and report.failed else report.outcome
        )
        ROWS.append(Row(outcome, case.title, _detail(case, report)))
    elif report.when == "teardown" and report.failed:
        ROWS.append(Row("error", f"{title_of(item)} (teardown)", _reason(report)))


def note(outcome: str, title: str, detail: str) -> None:
    """A row that is no test of its own (the clean-up's census)."""
    ROWS.append(Row(outcome, title, detail))


def _detail(case: Case, report: pytest.TestReport) -> str:
    parts = list(case.seen)
    if not report.passed:
        parts.append(_reason(report))
    return "; ".join(parts) or "-"


def _reason(report: pytest.TestReport) -> str:
    """The one-line reason of a skip or failure."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, reason)
        return str(longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return " ".join(str(crash.message).split())[:600]
    return " ".join(str(longrepr).split())[-600:]
