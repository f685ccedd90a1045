"""The suite's view of RabbitMQ: a tap on the events exchange, clean-up, outages.

The tap is a queue of the suite's own, bound to ``<prefix>.events`` next to the
consumer's: it keeps a copy of every message the module published, properties
and body as they travelled, so a case can say what went over the wire and
publish an event again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import time
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection

from ticketstock import topology as topo


@dataclass(frozen=True)
class Captured:
    """One message the module published, as the broker delivered it."""

    message_id: str | None
    type: str | None
    app_id: str | None
    delivery_mode: int | None
    routing_key: str | None
    body: dict[str, Any]

    @property
    def movement_id(self) -> int:
        return int(self.body["movement"]["id"])


class EventTap:
    """A durable queue bound to the events exchange, read without a consumer."""

    def __init__(self, url: str, prefix: str) -> None:
        self._url = url
        self._prefix = prefix
        self.queue = f"{prefix}.e2e-tap"
        self.captured: list[Captured] = []

    def declare(self) -> None:
        asyncio.run(self._declare())

    def events(self) -> list[Captured]:
        """Everything captured so far, after taking what arrived since last time."""
        self.captured.extend(asyncio.run(self._drain()))
        return list(self.captured)

    def for_movements(self, *movement_ids: int) -> list[Captured]:
        return [e for e in self.events() if e.movement_id in movement_ids]

    async def _connect(self) -> AbstractConnection:
        name = f"ticketstock e2e tap {self._prefix}"
        return await aio_pika.connect(
            self._url, client_properties={"connection_name": name}
        )

    async def _declare(self) -> None:
        async with await self._connect() as connection:
            channel = await connection.channel()
            # The same declaration as the consumer's and the module's: topic, durable.
            exchange = await channel.declare_exchange(
                f"{self._prefix}.events", aio_pika.ExchangeType.TOPIC, durable=True
            )
            queue = await channel.declare_queue(self.queue, durable=True)
            await queue.bind(exchange, routing_key="stock.#")

    async def _drain(self) -> list[Captured]:
        taken = []
        async with await self._connect() as connection:
            channel = await connection.channel()
            queue = await channel.get_queue(self.queue, ensure=False)
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                taken.append(
                    Captured(
                        message_id=message.message_id,
                        type=message.type,
                        app_id=message.app_id,
                        delivery_mode=int(message.delivery_mode or 0) or None,
                        routing_key=message.routing_key,
                        body=json.loads(message.body),
                    )
                )
        return taken


def delete_topology(url: str, prefix: str, retry_delays: tuple[int, ...]) -> None:
    """Remove the service's queues and exchanges of this prefix, and the tap."""
    asyncio.run(_delete(url, prefix, retry_delays))


async def _delete(url: str, prefix: str, retry_delays: tuple[int, ...]) -> None:
    layout = topo.Topology(prefix, retry_delays)
    name = f"ticketstock e2e clean-up {prefix}"
    async with await aio_pika.connect(
        url, client_properties={"connection_name": name}
    ) as connection:
        queues = [spec.name for spec in layout.queues()] + [f"{prefix}.e2e-tap"]
        for queue in queues:
            await _quietly(connection, lambda ch, q=queue: ch.queue_delete(q))
        for spec in layout.exchanges():
            await _quietly(connection, lambda ch, x=spec.name: ch.exchange_delete(x))


async def _quietly(connection: AbstractConnection, action: Any) -> None:
    """Run one deletion on a channel of its own: a missing one closes only that."""
    with contextlib.suppress(aio_pika.exceptions.AMQPError):
        channel: AbstractChannel = await connection.channel()
        await action(channel)
        await channel.close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def rabbitmqctl(*args: str) -> None:
    """Stop or start the local broker's application (``stop_app``/``start_app``)."""
    done = subprocess.run(
        ["rabbitmqctl", *args], capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"rabbitmqctl {' '.join(args)}: {done.stderr.strip()}")


def wait_for_broker(url: str, timeout: float = 60.0) -> None:
    """Return once the broker accepts an AMQP connection again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            asyncio.run(_probe(url))
            return
        except (OSError, aio_pika.exceptions.AMQPError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


async def _probe(url: str) -> None:
    connection = await aio_pika.connect(
        url, client_properties={"connection_name": "ticketstock e2e probe"}
    )
    await connection.close()
