"""RabbitMQ topology: every exchange, queue and binding, with their arguments.

Declaring is idempotent only when the arguments are identical everywhere, so they
are computed here and nowhere else. The Dolibarr module declares the events
exchange with the same arguments.

Each stage (``tickets``, ``mail``) has a quorum work queue, one wait queue per
retry tier and a dead-letter queue::

    events ──stock.movement──▶ tickets ─┐ consumer republishes a failed message:
    mail ────mail.job────────▶ mail ────┤   retry ─<stage>.wait.<n>s─▶ wait queue
                                        │   (TTL expires) ─▶ retry ─<stage>─▶ stage queue
                                        └─▶ dead ─<stage>─▶ <stage>.dead

The work queues also dead-letter on their own (``x-delivery-limit``) when a message
keeps killing the process that handles it; that path is at-least-once too.

Known limit: the arguments are those of RabbitMQ 3.10 to 3.13. RabbitMQ 4 gives every
quorum queue a default delivery limit of 20, dead-letter queues included, and
``ticketstock dlq list`` hands messages back after reading them, which counts as a
delivery; on 4.x the dead-letter queues need ``x-delivery-limit: -1`` (which 3.x
refuses) or a policy, before a message read twenty times is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

from aio_pika.abc import AbstractChannel, AbstractRobustConnection, ExchangeType
from aiormq.exceptions import ChannelNotFoundEntity

Stage = Literal["tickets", "mail"]
STAGES: Final[tuple[Stage, ...]] = ("tickets", "mail")
EVENT_ROUTING_KEY: Final = "stock.movement"
MAIL_ROUTING_KEY: Final = "mail.job"


@dataclass(frozen=True)
class QueueSpec:
    name: str
    arguments: dict[str, Any]
    bindings: tuple[tuple[str, str], ...]  # (exchange, routing key)


@dataclass(frozen=True)
class ExchangeSpec:
    name: str
    type: ExchangeType
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Topology:
    """Names and arguments derived from a prefix, a list of retry delays and a limit."""

    prefix: str = "ticketstock"
    retry_delays: tuple[int, ...] = (5, 30, 300)
    delivery_limit: int = 20

    @property
    def events_exchange(self) -> str:
        return f"{self.prefix}.events"

    @property
    def mail_exchange(self) -> str:
        return f"{self.prefix}.mail"

    @property
    def retry_exchange(self) -> str:
        return f"{self.prefix}.retry"

    @property
    def dead_exchange(self) -> str:
        return f"{self.prefix}.dead"

    def queue(self, stage: Stage) -> str:
        """The stage's work queue; also the routing key that leads back to it."""
        return f"{self.prefix}.{stage}"

    def wait_queue(self, stage: Stage, tier: int) -> str:
        return f"{self.prefix}.{stage}.wait.{self.retry_delays[tier]}s"

    def dead_queue(self, stage: Stage) -> str:
        return f"{self.prefix}.{stage}.dead"

    def stage_of_queue(self, queue_name: str) -> Stage | None:
        """The stage whose work queue has this name, if any."""
        return next((s for s in STAGES if self.queue(s) == queue_name), None)

    def exchanges(self) -> tuple[ExchangeSpec, ...]:
        return (
            ExchangeSpec(self.events_exchange, ExchangeType.TOPIC),
            ExchangeSpec(self.mail_exchange, ExchangeType.DIRECT),
            ExchangeSpec(self.retry_exchange, ExchangeType.DIRECT),
            ExchangeSpec(self.dead_exchange, ExchangeType.DIRECT),
        )

    def queues(self) -> tuple[QueueSpec, ...]:
        specs: list[QueueSpec] = []
        for stage in STAGES:
            specs.append(self._work_queue(stage))
            specs.extend(
                self._wait_queue(stage, t) for t in range(len(self.retry_delays))
            )
            specs.append(
                QueueSpec(
                    self.dead_queue(stage),
                    {"x-queue-type": "quorum"},
                    ((self.dead_exchange, self.queue(stage)),),
                )
            )
        return tuple(specs)

    def _work_queue(self, stage: Stage) -> QueueSpec:
        source = (
            (self.events_exchange, EVENT_ROUTING_KEY)
            if stage == "tickets"
            else (self.mail_exchange, MAIL_ROUTING_KEY)
        )
        arguments = {
            "x-queue-type": "quorum",
            "x-delivery-limit": self.delivery_limit,
            "x-dead-letter-exchange": self.dead_exchange,
            "x-dead-letter-routing-key": self.queue(stage),
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }
        return QueueSpec(
            self.queue(stage),
            arguments,
            (source, (self.retry_exchange, self.queue(stage))),
        )

    def _wait_queue(self, stage: Stage, tier: int) -> QueueSpec:
        arguments = {
            "x-queue-type": "quorum",
            "x-message-ttl": self.retry_delays[tier] * 1000,
            "x-dead-letter-exchange": self.retry_exchange,
            "x-dead-letter-routing-key": self.queue(stage),
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }
        name = self.wait_queue(stage, tier)
        return QueueSpec(name, arguments, ((self.retry_exchange, name),))

    def describe(self) -> dict[str, Any]:
        """The whole topology as plain data, for printing or for ops tooling."""
        return {
            "exchanges": [
                {
                    "name": e.name,
                    "type": e.type.value,
                    "durable": True,
                    "arguments": e.arguments,
                }
                for e in self.exchanges()
            ],
            "queues": [
                {
                    "name": q.name,
                    "durable": True,
                    "arguments": q.arguments,
                    "bindings": [
                        {"exchange": x, "routing_key": k} for x, k in q.bindings
                    ],
                }
                for q in self.queues()
            ],
        }


async def declare(channel: AbstractChannel, topology: Topology) -> None:
    """Declare every exchange, queue and binding; safe to run any number of times."""
    exchanges = {}
    for spec in topology.exchanges():
        exchanges[spec.name] = await channel.declare_exchange(
            spec.name, spec.type, durable=True, arguments=spec.arguments
        )
    for queue_spec in topology.queues():
        queue = await channel.declare_queue(
            queue_spec.name, durable=True, arguments=queue_spec.arguments
        )
        for exchange_name, routing_key in queue_spec.bindings:
            await queue.bind(exchanges[exchange_name], routing_key=routing_key)


async def delete(channel: AbstractChannel, topology: Topology) -> None:
    """Remove everything :func:`declare` made (used by tests and by ops tearing down)."""
    for queue_spec in topology.queues():
        await channel.queue_delete(queue_spec.name)
    for spec in topology.exchanges():
        await channel.exchange_delete(spec.name)


async def delete_if_empty(
    connection: AbstractRobustConnection, topology: Topology
) -> list[tuple[str, int]]:
    """Remove the empty queues, then the exchanges if every queue went.

    Answers the queues kept because they still hold messages. Quorum queues refuse
    the if-empty flag, so emptiness is read just before the delete: a message
    published in between would be lost, so stop the publishers and consumers first.
    """
    kept: list[tuple[str, int]] = []
    for spec in topology.queues():
        channel = await connection.channel()
        try:
            queue = await channel.declare_queue(spec.name, passive=True)
        except ChannelNotFoundEntity:
            continue
        count = queue.declaration_result.message_count or 0
        if count:
            kept.append((spec.name, count))
        else:
            await channel.queue_delete(spec.name)
        if not channel.is_closed:
            await channel.close()
    if not kept:
        channel = await connection.channel()
        for exchange in topology.exchanges():
            await channel.exchange_delete(exchange.name)
        await channel.close()
    return kept


__all__ = [
    "EVENT_ROUTING_KEY",
    "MAIL_ROUTING_KEY",
    "STAGES",
    "Stage",
    "Topology",
    "declare",
    "delete",
    "delete_if_empty",
]
