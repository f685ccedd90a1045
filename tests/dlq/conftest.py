"""Fixtures for the dead-letter tooling: a private topology on the real RabbitMQ, and
helpers that dead-letter messages the way the worker and the broker do."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import pytest

from tests.conftest import AMQP_URL, drain
from ticketstock import topology as topo
from ticketstock.broker import Broker
from ticketstock.dlq import DeadLetterQueues
from ticketstock.settings import Settings, load_settings
from ticketstock.topology import Stage

DeadLetter = Callable[..., Awaitable[str]]


@pytest.fixture
def dlq_settings(prefix: str) -> Settings:
    return load_settings(
        amqp_url=AMQP_URL, amqp_prefix=prefix, retry_delays=(1, 2), delivery_limit=2
    )


@pytest.fixture
async def broker(dlq_settings: Settings, prefix: str) -> AsyncIterator[Broker]:
    """A connected broker with the test's own topology, deleted afterwards."""
    connected = Broker(dlq_settings, name=f"pytest dlq {prefix}")
    await connected.connect(declare_topology=True)
    yield connected
    channel = await connected.connection.channel()
    await topo.delete(channel, connected.topology)
    await channel.close()
    await connected.close()


@pytest.fixture
def queues(broker: Broker) -> DeadLetterQueues:
    return DeadLetterQueues(broker)


def event(entity: int = 1, movement_id: int = 100) -> dict[str, Any]:
    """The fields of an event the dead-letter tooling reads; the rest does not matter."""
    return {
        "event_id": str(uuid.uuid4()),
        "schema_version": 1,
        "entity": entity,
        "movement": {"id": movement_id, "type": 3, "qty": 1},
    }


def failure(
    reason: str = "Dolibarr answered 503",
    error_class: str = "DolibarrUnavailable",
    *,
    attempts: int = 3,
    age: timedelta = timedelta(minutes=10),
    **more: Any,
) -> dict[str, Any]:
    """The x-ts-* headers the worker writes when it dead-letters a message."""
    first = (datetime.now(UTC) - age).isoformat(timespec="milliseconds")
    return {
        "x-ts-attempt": attempts,
        "x-ts-first-failure": first,
        "x-ts-last-failure": first,
        "x-ts-stage": "tickets",
        "x-ts-error-class": error_class,
        "x-ts-reason": reason,
        **more,
    }


@pytest.fixture
def dead_letter(broker: Broker) -> DeadLetter:
    """Put a message in a stage's dead-letter queue as the worker does; its id back."""

    async def put(
        stage: Stage,
        document: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, Any] | None = None,
        message_id: str | None = None,
    ) -> str:
        document = event() if document is None and raw is None else document
        body = raw if raw is not None else json.dumps(document).encode()
        if message_id is None and isinstance(document, dict):
            message_id = document.get("event_id")
        message_id = message_id or str(uuid.uuid4())
        await broker.publish(
            broker.topology.dead_exchange,
            broker.topology.queue(stage),
            body,
            message_id=message_id,
            type_="ticketstock.stock-movement.v1",
            headers=failure() if headers is None else headers,
        )
        return message_id

    return put  # type: ignore[return-value]


async def depth(broker: Broker, queue_name: str) -> int:
    channel = await broker.connection.channel()
    queue = await channel.declare_queue(queue_name, passive=True)
    await channel.close()
    return queue.declaration_result.message_count or 0


async def taken(
    broker: Broker, queue_name: str
) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Every message of a queue, in order, removed from it (for the final check)."""
    return await drain(broker.connection, queue_name)
