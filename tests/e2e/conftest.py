"""The end-to-end suite's switches, its one world, and its one line per case.

Without ``TICKETSTOCK_E2E_DOLIBARR_URL`` every case is skipped and the run says
why in one line. With it, one world is built for the whole session (see
world.py) and each case's outcome is printed after the run, with what it saw.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from . import report
from .world import E2EConfig, World, build_world

HERE = Path(__file__).parent
URL_VARIABLE = "TICKETSTOCK_E2E_DOLIBARR_URL"
SKIP_REASON = (
    f"{URL_VARIABLE} is not set: no Dolibarr to run the end-to-end suite against "
    "(see 'make e2e' in the README)"
)
_SKIPPED = pytest.StashKey[list[str]]()


def _in_suite(item: pytest.Item) -> bool:
    return HERE in item.path.parents


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    if os.environ.get(URL_VARIABLE):
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if _in_suite(item):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    test_report = yield
    if not _in_suite(item):
        pass
    elif os.environ.get(URL_VARIABLE):
        report.record(item, test_report)
    elif test_report.when == "setup" and test_report.skipped:
        item.config.stash.setdefault(_SKIPPED, []).append(item.nodeid)
    return test_report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = len(terminalreporter.config.stash.get(_SKIPPED, []))
    if skipped:
        terminalreporter.write_line(
            f"tests/e2e: {skipped} end-to-end cases skipped: {SKIP_REASON}"
        )
        return
    if not report.ROWS:
        return
    terminalreporter.section("TicketStock end to end, one line per case")
    for row in report.ROWS:
        terminalreporter.write_line(row.line())


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    config = E2EConfig.from_environ(os.environ)
    with build_world(config, tmp_path_factory.mktemp("e2e")) as built:
        yield built


@pytest.fixture
def case(request: pytest.FixtureRequest) -> report.Case:
    """Where a case writes what it saw, for its line."""
    noted = report.Case(report.title_of(request.node))
    request.node.stash[report.CASE] = noted
    return noted
