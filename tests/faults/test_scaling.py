"""Several consumers and senders on one broker, duplicated events, one consumer killed."""

from __future__ import annotations

import random
import uuid

import pytest

from tests.faults.conftest import Record
from tests.faults.rig import Rig, wait_until

pytestmark = pytest.mark.slow

MOVEMENTS = 150
REPEATS = 30  # the same message published twice, as a publisher retry does
REPLAYS = 20  # the same movement under a new event id, as a replay does


async def test_three_consumers_and_two_senders_give_one_ticket_and_one_mail_each(
    rig: Rig, record: Record
) -> None:
    await rig.declare()
    shared = {"ledger": "redis", "dolibarr_max_concurrency": 4}
    consumers = await rig.launch("tickets", "tickets", "tickets", **shared)
    await rig.launch("mail", "mail", **shared)
    rig.double.set_delay(20)

    events = rig.new_events(MOVEMENTS)
    shuffler = random.Random(6)
    repeats = shuffler.sample(events, REPEATS)
    replays = [
        {**event, "event_id": str(uuid.uuid4())}
        for event in shuffler.sample(events, REPLAYS)
    ]
    batch = events + repeats + replays
    shuffler.shuffle(batch)
    await rig.publish(batch)

    victim = consumers[1]
    await wait_until(lambda: len(victim.settled()) >= 15, "the victim at work")
    victim.kill()
    await victim.wait(10)
    tickets_at_kill = len(rig.double.tickets)
    tally = await rig.settle(timeout=90)

    handled = [len(p.settled()) for p in consumers]
    record(
        "3 consumers + 2 senders, 1 SIGKILL",
        tally,
        f"killed at {tickets_at_kill} tickets; settled per consumer {handled}",
    )
    assert tally.published == MOVEMENTS + REPEATS + REPLAYS
    assert tally.movements == MOVEMENTS
    assert tally.tickets == MOVEMENTS
    assert tally.duplicate_tickets == 0
    assert tally.mails_delivered == tally.mails_expected == 2 * MOVEMENTS
    assert tally.duplicate_mails == 0
    assert tally.lost == 0
    assert tally.dead_lettered == 0
    assert all(n > 0 for n in handled), "every consumer took a share"
