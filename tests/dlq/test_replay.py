"""Replaying dead-lettered messages: exactly the matching ones go back, confirmed."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from tests.dlq.conftest import DeadLetter, depth, event, failure, taken
from ticketstock.broker import Broker
from ticketstock.dlq import DeadLetterQueues, Outcome
from ticketstock.dlq_message import Selection
from ticketstock.settlement import ATTEMPT, REASON, REPLAY_COUNT, REPLAYED_AT


async def test_replay_moves_exactly_the_matching_messages_back_with_replay_headers(
    broker: Broker, queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    entities = [1, 2, 1, 2, 2, 1]
    ids = [await dead_letter("tickets", event(entity=e)) for e in entities]
    before = datetime.now(UTC)

    outcome = await queues.replay(Selection(entity=2), rate=1000)

    assert outcome.stopped is None
    assert [m.message_id for m in outcome.settled] == [ids[1], ids[3], ids[4]]
    replayed = await taken(broker, broker.topology.queue("tickets"))
    assert [m.message_id for m in replayed] == [ids[1], ids[3], ids[4]]
    for message in replayed:
        headers = message.headers or {}
        assert headers[REPLAY_COUNT] == 1
        assert datetime.fromisoformat(str(headers[REPLAYED_AT])) >= before - timedelta(
            seconds=1
        )
        assert ATTEMPT not in headers and REASON not in headers
        assert json.loads(message.body)["entity"] == 2
    left = await taken(broker, broker.topology.dead_queue("tickets"))
    assert [m.message_id for m in left] == [ids[0], ids[2], ids[5]]


async def test_each_replay_adds_one_to_the_replay_count(
    broker: Broker, queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    await dead_letter("mail", headers=failure(**{REPLAY_COUNT: 4}))

    await queues.replay(Selection(), rate=1000)

    [message] = await taken(broker, broker.topology.queue("mail"))
    assert (message.headers or {})[REPLAY_COUNT] == 5


async def test_replay_filters_by_reason_stage_event_id_and_age(
    broker: Broker, queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    smtp = failure("SMTP 550 mailbox unavailable", "SmtpPermanentError")
    old = failure(age=timedelta(days=3))
    await dead_letter("mail", headers=smtp, message_id="smtp")
    await dead_letter("tickets", headers=old, message_id="old")
    await dead_letter("tickets", message_id="recent")
    await dead_letter("tickets", message_id="wanted")

    by_reason = await queues.replay(Selection(reason="mailbox"), dry_run=True)
    by_class = await queues.replay(Selection(reason="smtppermanent"), dry_run=True)
    by_stage = await queues.replay(Selection(stages=("mail",)), dry_run=True)
    by_id = await queues.replay(Selection(event_id="WANTED"), dry_run=True)
    older = await queues.replay(Selection(older_than=timedelta(days=1)), dry_run=True)
    newer = await queues.replay(
        Selection(newer_than=timedelta(hours=1), stages=("tickets",)), dry_run=True
    )

    def ids(outcome: Outcome) -> list[str | None]:
        return [m.message_id for m in outcome.settled]

    assert ids(by_reason) == ["smtp"]
    assert ids(by_class) == ["smtp"]
    assert ids(by_stage) == ["smtp"]
    assert ids(by_id) == ["wanted"]
    assert ids(older) == ["old"]
    assert ids(newer) == ["recent", "wanted"]


async def test_a_dry_run_lists_what_would_be_replayed_and_changes_nothing(
    broker: Broker, queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    ids = [await dead_letter("tickets") for _ in range(3)]

    outcome = await queues.replay(Selection(), dry_run=True)

    assert outcome.dry_run
    assert [m.message_id for m in outcome.settled] == ids
    assert await depth(broker, broker.topology.queue("tickets")) == 0
    left = await taken(broker, broker.topology.dead_queue("tickets"))
    assert [m.message_id for m in left] == ids
    assert all(REPLAY_COUNT not in (m.headers or {}) for m in left)


async def test_replay_stops_at_the_limit_and_keeps_to_the_rate(
    broker: Broker, queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    ids = [await dead_letter("tickets") for _ in range(5)]

    started = time.monotonic()
    outcome = await queues.replay(Selection(), limit=3, rate=10)
    elapsed = time.monotonic() - started

    assert [m.message_id for m in outcome.settled] == ids[:3]
    assert elapsed >= 0.2  # three sends spaced by 0.1 s
    assert await depth(broker, broker.topology.queue("tickets")) == 3
    left = await taken(broker, broker.topology.dead_queue("tickets"))
    assert [m.message_id for m in left] == ids[3:]


async def test_a_replay_that_cannot_be_routed_leaves_the_message_in_the_queue(
    broker: Broker, queues: DeadLetterQueues, dead_letter: DeadLetter
) -> None:
    ids = [await dead_letter("tickets") for _ in range(3)]
    work = broker.topology.queue("tickets")
    channel = await broker.connection.channel()
    queue = await channel.get_queue(work, ensure=False)
    await queue.unbind(broker.topology.retry_exchange, routing_key=work)
    await channel.close()

    outcome = await queues.replay(Selection(), rate=1000)

    assert outcome.stopped is not None and "refused" in outcome.stopped
    assert outcome.settled == []
    assert await depth(broker, work) == 0
    left = await taken(broker, broker.topology.dead_queue("tickets"))
    assert [m.message_id for m in left] == ids
    assert all(REPLAY_COUNT not in (m.headers or {}) for m in left)
