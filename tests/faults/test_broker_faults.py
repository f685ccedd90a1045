"""RabbitMQ closing the service's connections while messages are in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tests.faults.conftest import Record
from tests.faults.processes import close_connections, connections_of
from tests.faults.rig import Rig, wait_until

pytestmark = pytest.mark.slow


async def wait_for_new_connections(pids: set[int], closed: set[str]) -> None:
    """Wait until every process has a connection other than the closed ones."""
    for _ in range(60):
        current = await connections_of(pids)
        if len(set(current) - closed) == len(pids):
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"the processes did not reconnect: {pids}")


def ten_more_tickets(rig: Rig) -> Callable[[], bool]:
    target = len(rig.double.tickets) + 10
    return lambda: len(rig.double.tickets) >= target


async def test_connections_closed_under_load_lose_nothing_and_duplicate_nothing(
    rig: Rig, record: Record
) -> None:
    await rig.declare()
    processes = await rig.launch("tickets", "mail", dolibarr_max_concurrency=4)
    pids = {process.pid for process in processes}
    rig.double.set_delay(80)
    await rig.publish(rig.new_events(200))

    closed: set[str] = set()
    for _ in range(2):
        await wait_until(ten_more_tickets(rig), "ten more tickets")
        under_load = len(rig.double.tickets) < 190
        closed |= await close_connections(pids, "fault test: connection closed")
        assert under_load, "the close came after the work was done"
        await wait_for_new_connections(pids, closed)
    tally = await rig.settle()

    record("broker closes connections x2", tally, f"{len(closed)} connections closed")
    assert len(closed) == 4
    assert all(process.running for process in processes)
    assert tally.lost == 0
    assert tally.duplicate_tickets == 0
    assert tally.duplicate_mails == 0
    assert tally.dead_lettered == 0
