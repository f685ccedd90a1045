"""The dead-letter queues: read them without losing a message, replay, purge, export.

Each stage's dead-letter queue (``<prefix>.<stage>.dead``) holds the messages its
worker gave up on and those the broker dead-lettered itself; :mod:`.dlq_message`
reads each one.

Reading never consumes. A pass over a queue consumes it in manual-ack mode on a
channel of its own, with the largest prefetch AMQP allows, and holds every message
unacked. A message leaves the queue only when the pass acks it: after its
re-publish was confirmed (replay), or when it is purged. At the end the pass waits
until it holds the whole queue, cancels its consumer and hands everything else back
with one ``nack`` (multiple, requeue), then closes the channel; a crash or a lost
connection hands the messages back too. A quorum queue puts what is handed back
behind what it still holds, which is why a pass holds the whole queue before it
hands back: so the order stays. A pass reads at most the messages that were ready
when it began; messages dead-lettered meanwhile wait for the next pass.

Known shortcomings: every pass counts as one more delivery in the quorum queue
(``x-delivery-count`` grows). That is harmless while the dead-letter queues have no
delivery limit, as on RabbitMQ 3.x; RabbitMQ 4 gives every quorum queue a default
limit of 20, so there the dead-letter queues must be declared with the limit off.
A pass holds what it read in memory and at most 65 535 messages (the largest AMQP
prefetch); past that the order of a larger queue shifts. Messages another client
holds at the same time are invisible to a pass. The broker cuts a pass that holds a
message longer than its ``consumer_timeout`` (30 minutes by default) and takes back
what was not settled yet: split a replay of tens of thousands of messages with a
limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

import aiormq
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue
from aio_pika.exceptions import ChannelInvalidStateError

from .broker import CONNECTION_ERRORS, Broker, PublishFailed
from .dlq_message import DeadMessage, Selection, read_message
from .errors import TicketStockError, TransientError
from .settlement import cleared_headers
from .topology import STAGES, Stage

log = logging.getLogger(__name__)

OnRead = Callable[[DeadMessage], None]
MAX_PREFETCH: Final = 65535  # AMQP's prefetch count is 16 bits
_IDLE_S: Final = 3.0  # how long a pass waits for a message the queue counted


class DeadLetterQueueMissing(TicketStockError):
    """A stage's dead-letter queue does not exist on the broker."""


class PassInterrupted(TransientError):
    """The connection broke during a pass; the broker took its messages back."""


@dataclass
class Outcome:
    """What a replay or a purge did, or for a dry run would do."""

    dry_run: bool
    read: int = 0
    settled: list[DeadMessage] = field(default_factory=list)  # replayed or removed
    stopped: str | None = None  # why it ended before reading everything it should


class _Pass:
    """One read of one dead-letter queue, holding every message until it ends."""

    def __init__(
        self, channel: AbstractChannel, queue: AbstractQueue, stage: Stage, ready: int
    ) -> None:
        self.stage = stage
        self.ready = ready
        self._channel = channel
        self._queue = queue
        self._inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self._delivered = 0
        self._all_delivered = asyncio.Event()
        self._read = 0
        self._removed = 0
        self._current: AbstractIncomingMessage | None = None
        self._underlay: aiormq.abc.AbstractChannel | None = None
        self._consumer_tag: str | None = None

    async def start(self) -> None:
        """Consume with a prefetch large enough to hold the whole queue."""
        if self.ready == 0:
            return
        # Messages dead-lettered during the pass are delivered too when there is room,
        # and then go back in order with the others.
        await self._channel.set_qos(prefetch_count=MAX_PREFETCH)
        self._underlay = await self._channel.get_underlay_channel()
        self._consumer_tag = await self._queue.consume(self._on_delivery)

    async def next(self) -> DeadMessage | None:
        """The next message, or None once every message ready at the start was read."""
        self._current = None
        if self._read >= self.ready:
            return None
        self._check_open()
        try:
            incoming = await asyncio.wait_for(self._inbox.get(), _IDLE_S)
        except TimeoutError:
            self._check_open()
            return None  # fewer than counted: another client holds some
        self._check_open()  # a consumer restored after a reconnect is not ours
        self._read += 1
        self._current = incoming
        return read_message(self.stage, self._read, incoming)

    async def remove(self) -> None:
        """Ack the message last read: it leaves the queue for good."""
        if self._current is None:
            raise RuntimeError("no message to remove")
        await self._current.ack()
        self._current = None
        self._removed += 1

    async def release(self) -> None:
        """Hand every message not removed back to the queue, in queue order."""
        underlay = self._underlay
        if self._consumer_tag is None or underlay is None or underlay.is_closed:
            return  # nothing was consumed, or the broker took all back with the channel
        # A quorum queue puts what is handed back behind what it still holds, so the
        # order stays only if the pass holds the whole queue when it hands back.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._all_delivered.wait(), _IDLE_S)
        # The plain channel, not aio-pika's robust wrapper, which would wait for a
        # reconnection that a closed connection never makes.
        await underlay.basic_cancel(self._consumer_tag)
        # Delivery tag 0 with multiple set: every message the channel still holds.
        await underlay.basic_nack(delivery_tag=0, multiple=True, requeue=True)
        await self._wait_counted(underlay, self.ready - self._removed)

    def _check_open(self) -> None:
        if self._underlay is None or self._underlay.is_closed:
            raise PassInterrupted(
                f"the channel to {self._queue.name} closed during the pass; "
                "every message not settled is back in the queue"
            )

    async def _on_delivery(self, incoming: AbstractIncomingMessage) -> None:
        self._delivered += 1
        self._inbox.put_nowait(incoming)
        if self._delivered >= self.ready:
            self._all_delivered.set()

    async def _wait_counted(
        self, underlay: aiormq.abc.AbstractChannel, expected: int
    ) -> None:
        # A nack has no answer, and the quorum queue counts the messages as ready a
        # few milliseconds later; a pass started meanwhile would miss them.
        deadline = time.monotonic() + _IDLE_S
        while time.monotonic() < deadline:
            declared = await underlay.queue_declare(self._queue.name, passive=True)
            if (declared.message_count or 0) >= expected:
                return
            await asyncio.sleep(0.01)
        log.debug("handed-back messages not counted yet queue=%s", self._queue.name)


class _Pace:
    """Spaces calls evenly to at most ``per_second``."""

    def __init__(self, per_second: float) -> None:
        self._interval = 1.0 / per_second
        self._next = time.monotonic()

    async def wait(self) -> None:
        now = time.monotonic()
        if self._next > now:
            await asyncio.sleep(self._next - now)
        self._next = max(self._next, now) + self._interval


class DeadLetterQueues:
    """The stages' dead-letter queues, on a connected :class:`Broker`."""

    def __init__(self, broker: Broker) -> None:
        self._broker = broker

    def queue_name(self, stage: Stage) -> str:
        return self._broker.topology.dead_queue(stage)

    async def depths(self, stages: tuple[Stage, ...] = STAGES) -> dict[Stage, int]:
        """How many messages wait in each stage's queue (not counting held ones)."""
        depths: dict[Stage, int] = {}
        for stage in stages:
            channel = await self._broker.connection.channel()
            try:
                queue = await self._declare(channel, stage)
                depths[stage] = queue.declaration_result.message_count or 0
            finally:
                if not channel.is_closed:
                    await channel.close()
        return depths

    async def scan(self, selection: Selection) -> AsyncGenerator[DeadMessage, None]:
        """Every matching message, stage by stage, in queue order; nothing removed.

        Close it with :func:`contextlib.aclosing` when not read to the end, so the
        messages go back at once.
        """
        now = datetime.now(UTC)
        for stage in selection.stages:
            async with self._pass(stage) as dlq_pass:
                while (message := await dlq_pass.next()) is not None:
                    if selection.matches(message, now):
                        yield message

    async def browse(
        self, selection: Selection, *, offset: int = 0, limit: int | None = None
    ) -> list[DeadMessage]:
        """One page of matching messages, ``offset`` matching ones skipped."""
        page: list[DeadMessage] = []
        if limit == 0:
            return page
        async with contextlib.aclosing(self.scan(selection)) as messages:
            index = 0
            async for message in messages:
                if index >= offset:
                    page.append(message)
                index += 1
                if limit is not None and len(page) >= limit:
                    break
        return page

    async def find(self, message_or_event_id: str) -> list[DeadMessage]:
        """The messages with this event id or message id, in every stage."""
        return await self.browse(Selection(event_id=message_or_event_id))

    async def replay(
        self,
        selection: Selection,
        *,
        limit: int | None = None,
        rate: float = 50.0,
        dry_run: bool = False,
        on_read: OnRead | None = None,
    ) -> Outcome:
        """Send matching messages back to their stage, at most ``rate`` a second.

        Each is re-published to the retry exchange with the routing key of its
        stage's work queue, its failure headers cleared and the replay stamped, and
        acked only once the broker confirmed the re-publish. The first re-publish
        that fails stops the replay; that message and all not reached stay here.
        """
        pace = _Pace(rate)

        async def republish(message: DeadMessage) -> None:
            await pace.wait()
            await self._republish(message)

        return await self._settle(
            selection, limit, dry_run, on_read, republish, "replayed"
        )

    async def purge(
        self,
        selection: Selection,
        *,
        limit: int | None = None,
        dry_run: bool = False,
        on_read: OnRead | None = None,
    ) -> Outcome:
        """Remove matching messages for good (at most ``limit``)."""
        return await self._settle(selection, limit, dry_run, on_read, None, "purged")

    async def _settle(
        self,
        selection: Selection,
        limit: int | None,
        dry_run: bool,
        on_read: OnRead | None,
        action: Callable[[DeadMessage], Awaitable[None]] | None,
        verb: str,
    ) -> Outcome:
        outcome = Outcome(dry_run)
        now = datetime.now(UTC)
        for stage in selection.stages:
            async with self._pass(stage) as dlq_pass:
                while limit is None or len(outcome.settled) < limit:
                    message = await dlq_pass.next()
                    if message is None:
                        break
                    outcome.read += 1
                    if on_read is not None:
                        on_read(message)
                    if not selection.matches(message, now):
                        continue
                    if not dry_run:
                        try:
                            if action is not None:
                                await action(message)
                        except PublishFailed as exc:
                            outcome.stopped = exc.reason
                            return outcome
                        await dlq_pass.remove()
                        _log_settled(verb, message)
                    outcome.settled.append(message)
        return outcome

    async def _republish(self, message: DeadMessage) -> None:
        topology = self._broker.topology
        await self._broker.publish(
            topology.retry_exchange,
            topology.queue(message.stage),
            message.body,
            message_id=message.message_id or "",
            type_=message.type,
            headers=cleared_headers(message.headers, datetime.now(UTC)),
            app_id=message.app_id or "ticketstock",
            content_type=message.content_type or "application/json",
        )

    async def _declare(self, channel: AbstractChannel, stage: Stage) -> AbstractQueue:
        name = self.queue_name(stage)
        try:
            return await channel.declare_queue(name, passive=True)
        except aiormq.exceptions.ChannelNotFoundEntity as exc:
            raise DeadLetterQueueMissing(
                f"dead-letter queue {name} does not exist; "
                "declare the topology with: ticketstock topology declare"
            ) from exc

    @contextlib.asynccontextmanager
    async def _pass(self, stage: Stage) -> AsyncIterator[_Pass]:
        channel = await self._broker.connection.channel()
        try:
            queue = await self._declare(channel, stage)
            ready = queue.declaration_result.message_count or 0
            dlq_pass = _Pass(channel, queue, stage, ready)
            try:
                await dlq_pass.start()
                yield dlq_pass
            finally:
                # A channel that broke hands the messages back by closing.
                with contextlib.suppress(*CONNECTION_ERRORS, ChannelInvalidStateError):
                    await dlq_pass.release()
        finally:
            if not channel.is_closed:
                await channel.close()


def _log_settled(verb: str, message: DeadMessage) -> None:
    fields = {
        "stage": message.stage,
        "event_id": message.event_id,
        "message_id": message.message_id,
        "outcome": verb,
    }
    log.info(
        "dead-lettered message %s stage=%s event_id=%s message_id=%s",
        verb,
        message.stage,
        message.event_id,
        message.message_id,
        extra=fields,
    )


__all__ = [
    "DeadLetterQueueMissing",
    "DeadLetterQueues",
    "Outcome",
    "PassInterrupted",
]
