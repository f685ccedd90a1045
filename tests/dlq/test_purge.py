"""Purging dead-lettered messages: only the matching ones go, and only when asked."""

from __future__ import annotations

from tests.dlq.conftest import DeadLetter, depth, event, taken
from ticketstock.broker import Broker
from ticketstock.dlq import DeadLetterQueues
from ticketstock.dlq_message import Selection


async def test_purge_removes_only_the_matching_messages(
    broker: Broker, queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    ids = [await dead_letter("tickets", event(entity=e)) for e in (1, 5, 1, 5)]
    mail_id = await dead_letter("mail", event(entity=5))

    outcome = await queues.purge(Selection(entity=5, stages=("tickets",)))

    assert [m.message_id for m in outcome.settled] == [ids[1], ids[3]]
    left = await taken(broker, broker.topology.dead_queue("tickets"))
    assert [m.message_id for m in left] == [ids[0], ids[2]]
    assert [
        m.message_id for m in await taken(broker, broker.topology.dead_queue("mail"))
    ] == [mail_id]
    assert await depth(broker, broker.topology.queue("tickets")) == 0


async def test_purge_removes_no_more_than_its_limit(
    broker: Broker, queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    ids = [await dead_letter("mail") for _ in range(4)]

    outcome = await queues.purge(Selection(), limit=1)

    assert [m.message_id for m in outcome.settled] == ids[:1]
    left = await taken(broker, broker.topology.dead_queue("mail"))
    assert [m.message_id for m in left] == ids[1:]


async def test_a_purge_dry_run_changes_nothing(
    broker: Broker, queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    ids = [await dead_letter("tickets") for _ in range(3)]

    outcome = await queues.purge(Selection(), dry_run=True)

    assert [m.message_id for m in outcome.settled] == ids
    left = await taken(broker, broker.topology.dead_queue("tickets"))
    assert [m.message_id for m in left] == ids
