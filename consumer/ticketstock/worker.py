"""Consuming one stage's queue and settling each message exactly once.

A :class:`Worker` hands every delivery to its handler, then settles it in one
place, :meth:`Worker._settle`: ack, park it in a wait queue, or dead-letter it.
Shutdown stops consuming, lets in-flight handlers finish within a bound, and never
turns in-flight work into a reject: what is still unsettled when the channel closes
is redelivered by the broker.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from aiormq.exceptions import ChannelInvalidStateError

from .broker import CONNECTION_ERRORS, Broker
from .errors import MovementNotFound, TicketStockError
from .metrics import Metrics
from .settlement import (
    BUSY,
    ERROR_CLASS,
    Ack,
    DeadLetter,
    Retry,
    Verdict,
    attempts_of,
    attempts_so_far,
    decide,
    error_fields,
    failure_headers,
)
from .topology import Stage

log = logging.getLogger(__name__)


@dataclass
class Delivery:
    """What a handler gets: the message, and log fields it fills in as it learns them."""

    body: bytes
    headers: dict[str, Any]
    message_id: str | None
    redelivered: bool
    failed_before: int
    fields: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Delivery], Awaitable[str]]
"""Handles one delivery and returns its outcome word; raises to fail it."""


class Worker:
    """Consumes one stage's work queue with a bounded number of messages in flight."""

    def __init__(
        self,
        stage: Stage,
        handler: Handler,
        broker: Broker,
        metrics: Metrics,
        *,
        prefetch: int,
    ) -> None:
        self.stage = stage
        self._handler = handler
        self._broker = broker
        self._metrics = metrics
        self._prefetch = prefetch
        self._channel: AbstractChannel | None = None
        self._consumer_tag: str | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._stopping = False

    @property
    def queue_name(self) -> str:
        return self._broker.topology.queue(self.stage)

    @property
    def is_consuming(self) -> bool:
        """True while the broker still knows our consumer on an open channel."""
        channel, tag = self._channel, self._consumer_tag
        if channel is None or tag is None or channel.is_closed or self._stopping:
            return False
        # aio-pika's public accessor is a coroutine; readiness must be a cheap, sync
        # read of the current aiormq channel (replaced on every reconnect).
        context = getattr(channel, "_channel", None)
        underlay = getattr(context, "channel", None)
        return underlay is not None and tag in underlay.consumers

    async def start(self) -> None:
        """Open a channel with the prefetch and start consuming."""
        self._channel = await self._broker.channel(self._prefetch)
        # A passive declare registers the queue with the robust channel, which then
        # restores its consumer after a reconnect; get_queue() would not.
        queue = await self._channel.declare_queue(self.queue_name, passive=True)
        self._consumer_tag = await queue.consume(self._on_message)
        log.info(
            "worker started stage=%s queue=%s prefetch=%d",
            self.stage,
            self.queue_name,
            self._prefetch,
            extra={"stage": self.stage, "queue": self.queue_name},
        )

    async def stop(self, drain_s: float) -> None:
        """Stop consuming, wait for in-flight messages, then close the channel."""
        self._stopping = True
        channel, tag = self._channel, self._consumer_tag
        if channel is not None and tag is not None and not channel.is_closed:
            try:
                queue = await channel.get_queue(self.queue_name, ensure=False)
                await queue.cancel(tag)
            except CONNECTION_ERRORS:
                log.warning("consumer cancel failed stage=%s", self.stage)
        pending = set(self._in_flight)
        if pending:
            _, late = await asyncio.wait(pending, timeout=drain_s)
            if late:
                log.warning(
                    "shutdown left messages unsettled stage=%s count=%d timeout_s=%s",
                    self.stage,
                    len(late),
                    drain_s,
                    extra={"stage": self.stage, "count": len(late)},
                )
        if channel is not None and not channel.is_closed:
            await channel.close()
        log.info("worker stopped stage=%s", self.stage, extra={"stage": self.stage})

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        if self._stopping:
            # Arrived after we asked to stop; hand it back untouched.
            await message.nack(requeue=True)
            return
        # Shield the handling from cancellation of the delivery task: a channel closing
        # under us must not turn half-done work into a reject.
        task = asyncio.ensure_future(self._process(message))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        await asyncio.shield(task)

    async def _process(self, message: AbstractIncomingMessage) -> None:
        headers = dict(message.headers or {})
        delivery = Delivery(
            body=message.body,
            headers=headers,
            message_id=message.message_id,
            redelivered=bool(message.redelivered),
            failed_before=attempts_so_far(headers),
        )
        self._metrics.received.labels(self.stage).inc()
        gauge = self._metrics.in_flight.labels(self.stage)
        gauge.inc()
        started = time.monotonic()
        try:
            try:
                verdict: Verdict = Ack(await self._handler(delivery))
                error: BaseException | None = None
            except Exception as exc:  # noqa: BLE001 - every failure is settled below
                error = exc
                tiers = len(self._broker.topology.retry_delays)
                busy = attempts_of(delivery.headers.get(BUSY))
                missing = delivery.headers.get(ERROR_CLASS) == MovementNotFound.__name__
                verdict = decide(
                    exc, delivery.failed_before, tiers, busy, missing_before=missing
                )
            await self._settle(message, delivery, verdict, error, started)
        finally:
            gauge.dec()

    async def _settle(
        self,
        message: AbstractIncomingMessage,
        delivery: Delivery,
        verdict: Verdict,
        error: BaseException | None,
        started: float,
    ) -> None:
        """The one place a message is acked, parked or dead-lettered."""
        topology = self._broker.topology
        if _channel_gone(message):
            # The broker already requeued it when the channel closed (a reconnect, or a
            # shutdown that outlived its drain bound); settling now would duplicate it.
            log.warning(
                "message left for redelivery stage=%s message_id=%s: its channel closed",
                self.stage,
                delivery.message_id,
                extra={"stage": self.stage, "message_id": delivery.message_id},
            )
            return
        try:
            if isinstance(verdict, Retry):
                assert error is not None
                headers = failure_headers(
                    delivery.headers, error, self.stage, counted=verdict.counted
                )
                wait_queue = topology.wait_queue(self.stage, verdict.tier)
                await self._republish(
                    message, topology.retry_exchange, wait_queue, headers
                )
            elif isinstance(verdict, DeadLetter):
                assert error is not None
                headers = failure_headers(delivery.headers, error, self.stage)
                await self._republish(
                    message, topology.dead_exchange, topology.queue(self.stage), headers
                )
            await message.ack()
        except Exception as exc:  # noqa: BLE001 - CONNECTION_ERRORS included
            # Not settled: the broker redelivers it once the channel is gone or recovers.
            log.warning(
                "settle failed stage=%s message_id=%s error=%s; the broker will redeliver",
                self.stage,
                delivery.message_id,
                type(exc).__name__,
                extra={"stage": self.stage, "message_id": delivery.message_id},
            )
            await _try_requeue(message)
            return
        self._record(delivery, verdict, error, started)

    async def _republish(
        self,
        message: AbstractIncomingMessage,
        exchange: str,
        routing_key: str,
        headers: dict[str, Any],
    ) -> None:
        await self._broker.publish(
            exchange,
            routing_key,
            message.body,
            message_id=message.message_id or "",
            type_=message.type,
            headers=headers,
            app_id=message.app_id or "ticketstock",
            content_type=message.content_type or "application/json",
        )

    def _record(
        self,
        delivery: Delivery,
        verdict: Verdict,
        error: BaseException | None,
        started: float,
    ) -> None:
        """Count the settlement and write the message's one outcome line."""
        fields: dict[str, Any] = {"stage": self.stage, **delivery.fields}
        fields["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
        if isinstance(verdict, Ack):
            fields["outcome"] = verdict.outcome
            self._metrics.acked.labels(self.stage, verdict.outcome).inc()
            missing = verdict.outcome == "movement-missing"
            level = logging.WARNING if missing else logging.INFO
        else:
            assert error is not None
            level = self._record_failure(fields, delivery, verdict, error)
        text = " ".join(f"{k}={_quote(v)}" for k, v in fields.items())
        exc_info = error if level == logging.ERROR and not _is_ours(error) else None
        log.log(level, "message settled %s", text, extra=fields, exc_info=exc_info)

    def _record_failure(
        self,
        fields: dict[str, Any],
        delivery: Delivery,
        verdict: Retry | DeadLetter,
        error: BaseException,
    ) -> int:
        """Add a failure's fields, count it, and answer the level of its line."""
        error_class, reason, http_status, smtp_code = error_fields(error)
        fields.update(error=error_class, reason=reason)
        if http_status:
            fields["status"] = http_status
        if smtp_code:
            fields["smtp_code"] = smtp_code
        if isinstance(verdict, DeadLetter):
            fields.update(outcome="dead-lettered", attempt=delivery.failed_before + 1)
            self._metrics.dead_lettered.labels(self.stage, error_class).inc()
            return logging.ERROR
        delays = self._broker.topology.retry_delays
        delay = delays[verdict.tier]
        self._metrics.retried.labels(self.stage, str(delay)).inc()
        if not verdict.counted:
            fields.update(outcome="busy", delay_s=delay)
            return logging.INFO
        attempt = delivery.failed_before + 1
        fields.update(
            outcome="retry", attempt=attempt, limit=len(delays), delay_s=delay
        )
        return logging.WARNING


def _is_ours(error: BaseException | None) -> bool:
    return isinstance(error, TicketStockError)


def _quote(value: object) -> str:
    """A log field value that cannot break its line or pass for another field."""
    text = str(value)
    if text and text.isprintable() and not any(c in text for c in ' "='):
        return text
    return json.dumps(text, ensure_ascii=False)


def _channel_gone(message: AbstractIncomingMessage) -> bool:
    try:
        return bool(message.channel.is_closed)
    except ChannelInvalidStateError:
        return True


async def _try_requeue(message: AbstractIncomingMessage) -> None:
    try:
        await message.nack(requeue=True)
    except Exception:  # noqa: BLE001 - the channel is gone; the broker requeues it itself
        log.debug("nack after failed settle was not possible")
