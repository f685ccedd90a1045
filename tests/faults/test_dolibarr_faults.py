"""Dolibarr unavailable for a while: answering 503, or too slow to answer at all."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.conftest import Record
from tests.faults.rig import Rig

pytestmark = pytest.mark.slow

CREATE = "/api/index.php/ticketstock/tickets"


async def test_dolibarr_answering_503_for_a_while_then_recovering_loses_nothing(
    rig: Rig, record: Record
) -> None:
    await rig.declare()
    await rig.launch("all")
    # Shorter than the tiers can absorb: 2 in-process attempts, then 1 s and 2 s.
    rig.double.fail_next(503, None)

    await rig.publish(rig.new_events(10))
    await asyncio.sleep(2.5)
    rig.double.clear_faults()
    tally = await rig.settle()

    record("dolibarr 503 for 2.5 s", tally, "config and creates refused")
    assert rig.retries("tickets") >= 10
    assert tally.lost == 0
    assert tally.duplicate_tickets == 0
    assert tally.duplicate_mails == 0
    assert tally.dead_lettered == 0


async def test_dolibarr_timing_out_for_a_while_gives_one_ticket_per_movement(
    rig: Rig, record: Record
) -> None:
    await rig.declare()
    await rig.launch("all", dolibarr_timeout=1)
    await rig.publish(rig.new_events(3))
    await rig.settle()
    # The double carries out a hung create after the client gave up, so the retry
    # meets a ticket that already exists: the track id must make it the same one.
    rig.double.hang_next(3, None, path=CREATE)

    await rig.publish(rig.new_events(10))
    await asyncio.sleep(2.5)
    rig.double.clear_faults()
    tally = await rig.settle()

    existing = sum(len(p.settled("ticket-exists")) for p in rig.processes)
    record("dolibarr hangs 3 s (timeout 1 s)", tally, f"{existing} found existing")
    assert rig.retries("tickets") >= 10
    assert existing >= 1
    assert tally.lost == 0
    assert tally.duplicate_tickets == 0
    assert tally.duplicate_mails == 0
    assert tally.dead_lettered == 0
