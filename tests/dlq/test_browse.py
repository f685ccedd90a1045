"""Reading the dead-letter queues: nothing is consumed, lost or reordered."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from aio_pika.exceptions import ChannelInvalidStateError

from tests.dlq.conftest import DeadLetter, depth, event, failure, taken
from ticketstock.broker import CONNECTION_ERRORS, Broker
from ticketstock.dlq import DeadLetterQueueMissing, DeadLetterQueues, PassInterrupted
from ticketstock.dlq_message import DeadMessage, Selection
from ticketstock.settings import Settings


async def test_list_leaves_every_message_in_place_and_in_order(
    broker: Broker, queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    tickets_ids = [await dead_letter("tickets") for _ in range(6)]
    mail_ids = [await dead_letter("mail") for _ in range(2)]
    tickets_dead = broker.topology.dead_queue("tickets")
    mail_dead = broker.topology.dead_queue("mail")

    everything = await queues.browse(Selection())
    first_page = await queues.browse(Selection(), limit=2)
    filtered = await queues.browse(Selection(stages=("mail",)))
    depths = await queues.depths()

    assert [m.message_id for m in everything] == tickets_ids + mail_ids
    assert [m.message_id for m in first_page] == tickets_ids[:2]
    assert [m.message_id for m in filtered] == mail_ids
    assert depths == {"tickets": 6, "mail": 2}
    assert await depth(broker, tickets_dead) == 6
    assert await depth(broker, mail_dead) == 2
    assert [m.message_id for m in await taken(broker, tickets_dead)] == tickets_ids
    assert [m.message_id for m in await taken(broker, mail_dead)] == mail_ids


async def test_pages_follow_each_other_with_offset_and_limit(
    queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    ids = [await dead_letter("tickets") for _ in range(5)]

    pages = [
        await queues.browse(Selection(), offset=offset, limit=2) for offset in (0, 2, 4)
    ]

    assert [[m.message_id for m in page] for page in pages] == [
        ids[0:2],
        ids[2:4],
        ids[4:5],
    ]
    assert [m.position for m in pages[1]] == [3, 4]


async def test_a_message_shows_stage_reason_attempts_age_ids_entity_and_replays(
    queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    document = event(entity=3, movement_id=4242)
    headers = failure(
        "Dolibarr answered 400: bad severity",
        "DolibarrRejected",
        attempts=1,
        age=timedelta(hours=2),
        **{"x-ts-replay-count": 2},
    )
    await dead_letter("tickets", document, headers=headers, message_id="msg-1")

    [message] = await queues.browse(Selection())
    summary = message.summary(datetime.now(UTC))

    assert summary["stage"] == "tickets"
    assert summary["event_id"] == document["event_id"]
    assert summary["message_id"] == "msg-1"
    assert summary["movement_id"] == 4242
    assert summary["entity"] == 3
    assert summary["dead_lettered_by"] == "consumer"
    assert summary["error_class"] == "DolibarrRejected"
    assert summary["reason"] == "Dolibarr answered 400: bad severity"
    assert summary["attempts"] == 1
    assert summary["replay_count"] == 2
    assert 2 * 3600 - 60 <= summary["age_s"] <= 2 * 3600 + 60


async def test_a_message_the_broker_dead_lettered_is_listed_with_its_x_death_reason(
    broker: Broker, queues: DeadLetterQueues
) -> None:
    # The work queue dead-letters on its own after delivery_limit (2) redeliveries,
    # as it does for a message that keeps killing the process handling it.
    work = broker.topology.queue("tickets")
    document = event(entity=2, movement_id=7)
    await broker.publish("", work, json.dumps(document).encode(), message_id="m-7")
    channel = await broker.connection.channel()
    queue = await channel.get_queue(work, ensure=False)
    dead_queue = broker.topology.dead_queue("tickets")
    # A requeued message comes back a moment later, and at-least-once dead-lettering
    # is asynchronous: keep handing it back until it has landed in the DLQ.
    for _ in range(200):
        message = await queue.get(no_ack=False, fail=False)
        if message is not None:
            await message.nack(requeue=True)
        declared = await channel.declare_queue(dead_queue, passive=True)
        if declared.declaration_result.message_count:
            break
        await asyncio.sleep(0.02)
    await channel.close()

    [dead] = await queues.browse(Selection())

    assert dead.dead_lettered_by == "broker"
    assert dead.reason == f"delivery_limit in queue {work}"
    assert dead.error_class is None
    assert dead.event_id == document["event_id"]
    assert dead.movement_id == 7
    age = dead.age(datetime.now(UTC))
    assert age is not None and age < timedelta(minutes=1)


async def test_bodies_that_are_not_json_objects_are_listed_without_failing(
    broker: Broker, queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    raws = [
        b"\xff\xfe\x00binary",
        b"{not json",
        b"[1, 2]",
        b'"text"',
        b"",
        b"[" * 50_000,
    ]
    for index, raw in enumerate(raws):
        await dead_letter("mail", raw=raw, message_id=f"raw-{index}")

    listed = await queues.browse(Selection())

    assert [m.message_id for m in listed] == [f"raw-{i}" for i in range(len(raws))]
    assert all(m.event_id == m.message_id for m in listed)
    assert all(m.entity is None and m.movement_id is None for m in listed)
    records = [m.record(datetime.now(UTC)) for m in listed]
    assert [r["body_encoding"] for r in records] == [
        "base64",
        "base64",
        "json",
        "json",
        "base64",
        "base64",
    ]
    assert await depth(broker, broker.topology.dead_queue("mail")) == len(raws)


async def test_messages_dead_lettered_during_a_pass_wait_for_the_next_one(
    queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    first = await dead_letter("tickets")
    seen: list[str | None] = []

    async with contextlib.aclosing(queues.scan(Selection())) as scan:
        async for message in scan:
            seen.append(message.message_id)
            await dead_letter("tickets", message_id="late")

    assert seen == [first]
    later = await queues.browse(Selection())
    assert sorted(m.message_id or "" for m in later) == sorted([first, "late"])


async def test_the_queue_is_found_missing_with_a_hint_rather_than_a_crash(
    queues: DeadLetterQueues, broker: Broker
) -> None:
    channel = await broker.connection.channel()
    await channel.queue_delete(broker.topology.dead_queue("mail"))
    await channel.close()

    with pytest.raises(DeadLetterQueueMissing, match="ticketstock topology declare"):
        await queues.browse(Selection(stages=("mail",)))


async def test_a_connection_lost_during_a_replay_hands_every_message_back(
    broker: Broker, dlq_settings: Settings, dead_letter: DeadLetter
) -> None:
    ids = [await dead_letter("tickets") for _ in range(4)]
    other = Broker(dlq_settings, name="pytest dlq lost connection")
    await other.connect(declare_topology=False)
    queues = DeadLetterQueues(other)

    def cut(message: DeadMessage) -> None:
        if message.position == 2:
            asyncio.get_running_loop().create_task(other.close())

    try:
        stopped = (await queues.replay(Selection(), rate=5, on_read=cut)).stopped
    except (PassInterrupted, ChannelInvalidStateError, *CONNECTION_ERRORS) as exc:
        stopped = str(exc)
    await other.close()

    assert stopped

    assert await depth(broker, broker.topology.queue("tickets")) <= 1
    replayed = await taken(broker, broker.topology.queue("tickets"))
    left = await taken(broker, broker.topology.dead_queue("tickets"))
    assert sorted(m.message_id or "" for m in replayed + left) == sorted(ids)
