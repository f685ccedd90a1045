"""One fault scenario's world: a private topology, the double, the SMTP sink, processes.

The rig starts service processes against the test's own AMQP prefix, publishes
events for movements the double knows, waits until the pipeline is done and idle,
and counts the result. Teardown kills what it started and deletes what it declared.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aio_pika
import redis.asyncio as aioredis
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from tests import factories
from tests.conftest import AMQP_URL, API_KEY, SECRET
from tests.faults.processes import ServiceProcess, queue_depths
from tests.faults.tally import MailCounter, Tally, count, dead_mail_key
from ticketstock import topology as topo
from ticketstock.sandbox.dolibarr_double import DolibarrDouble
from ticketstock.sandbox.smtp_sink import SmtpSink

REDIS_URL = "redis://127.0.0.1:6379/0"
PRODUCT = {"ref": "CHAIR-1", "label": "Folding chair"}


async def wait_until(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Poll ``check`` until it holds; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


class Rig:
    """Processes, publishing and counting for one scenario."""

    def __init__(
        self,
        prefix: str,
        double: DolibarrDouble,
        smtp: SmtpSink,
        company: dict[str, int],
        workdir: Path,
        connection: AbstractRobustConnection,
    ) -> None:
        self.prefix = prefix
        self.double = double
        self.smtp = smtp
        self.company = company
        self.workdir = workdir
        self.connection = connection
        self.retry_delays: tuple[int, ...] = (1, 2)
        self.topology = topo.Topology(prefix, self.retry_delays)
        self.processes: list[ServiceProcess] = []
        self.events: list[dict[str, Any]] = []
        self.dead: dict[str, list[AbstractIncomingMessage]] = {
            "tickets": [],
            "mail": [],
        }
        self.mails = MailCounter(smtp)
        self.uses_redis = False

    async def declare(self, retry_delays: tuple[int, ...] = (1, 2)) -> None:
        """Declare the topology before anything publishes or consumes."""
        self.retry_delays = retry_delays
        self.topology = topo.Topology(self.prefix, retry_delays)
        channel = await self.connection.channel()
        await topo.declare(channel, self.topology)
        await channel.close()

    def env(self, **settings: object) -> dict[str, str]:
        """The environment of a service process: the test's world, then ``settings``."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETSTOCK_")}
        values: dict[str, object] = {
            "amqp_url": AMQP_URL,
            "amqp_prefix": self.prefix,
            "retry_delays": json.dumps(list(self.retry_delays)),
            "dolibarr_url": self.double.base_url,
            "dolibarr_api_key": API_KEY,
            "dolibarr_timeout": 2,
            "dolibarr_attempts": 2,
            "track_id_secret": SECRET,
            "smtp_port": self.smtp.port,
            "smtp_timeout": 5,
            "mail_from": "ticketstock@example.com",
            "ledger_path": self.workdir / "sent-ledger.sqlite3",
            "http_port": 0,
            "shutdown_timeout": 5,
            "log_format": "json",
        }
        values.update(settings)
        if values.get("ledger") == "redis":
            values.setdefault("redis_url", REDIS_URL)
            self.uses_redis = True
        env.update({f"TICKETSTOCK_{k.upper()}": str(v) for k, v in values.items()})
        return env

    async def launch(self, *roles: str, **settings: object) -> list[ServiceProcess]:
        """Start one process per role given and wait until each one consumes."""
        started = []
        for role in roles:
            number = len(self.processes) + 1
            log_path = self.workdir / f"{number:02d}-{role}.log"
            process = ServiceProcess(role, self.env(**settings), log_path)
            await process.start()
            self.processes.append(process)
            started.append(process)
        await asyncio.gather(*(process.ready() for process in started))
        return started

    def new_events(self, count: int) -> list[dict[str, Any]]:
        """Events for ``count`` new returns into the watched warehouse."""
        company = self.company
        product = {"id": company["product"], **PRODUCT}
        events = []
        for _ in range(count):
            movement = self.double.add_movement(
                company["product"], company["watched"], 2, 3
            )
            events.append(
                factories.event(
                    movement, warehouse_id=company["watched"], qty=2, product=product
                )
            )
        return events

    async def publish(
        self, events: list[dict[str, Any]], *, counted: bool = True
    ) -> None:
        """Publish events as the module does: persistent, confirmed, one by one.

        ``counted``: the tally expects a ticket and the company's mails for them.
        """
        channel = await self.connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(
            self.topology.events_exchange, ensure=False
        )
        for event in events:
            await exchange.publish(
                aio_pika.Message(
                    json.dumps(event).encode(),
                    message_id=event["event_id"],
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=topo.EVENT_ROUTING_KEY,
                mandatory=True,
            )
        await channel.close()
        if counted:
            self.events.extend(events)

    def tally(self) -> Tally:
        dead_events = {
            json.loads(m.body).get("event_id", "") for m in self.dead["tickets"]
        }
        dead_mails = {dead_mail_key(json.loads(m.body)) for m in self.dead["mail"]}
        tickets = self.double.tickets
        return count(
            self.events,
            tickets,
            self.mails.refresh(tickets),
            dead_events=dead_events,
            dead_mails=dead_mails,
            retries=sum(len(p.settled("retry")) for p in self.processes),
        )

    def retries(self, stage: str) -> int:
        return sum(
            1 for p in self.processes for r in p.settled("retry") if r["stage"] == stage
        )

    async def settle(
        self,
        done: Callable[[Tally], bool] | None = None,
        *,
        timeout: float = 60.0,
        quiet: float = 0.5,
    ) -> Tally:
        """Wait until ``done`` holds and nothing moved for ``quiet`` seconds with
        every work and wait queue empty; then take the dead letters and count."""
        done = done or (lambda tally: tally.complete)
        deadline = time.monotonic() + timeout
        last_activity, last_mark = time.monotonic(), self._activity()
        empty_since: float | None = None
        while True:
            await asyncio.sleep(0.2)
            mark = self._activity()
            if mark != last_mark:
                last_activity, last_mark, empty_since = time.monotonic(), mark, None
            idle = time.monotonic() - last_activity >= quiet
            if not (idle and done(self.tally()) and await self._queues_empty()):
                empty_since = None
            elif empty_since is None:
                empty_since = time.monotonic()
            elif time.monotonic() - empty_since >= quiet:
                # Empty twice, apart: a message RabbitMQ is moving from a wait
                # queue to its work queue is counted in neither for a moment.
                break
            if time.monotonic() > deadline:
                depths = await queue_depths(self.prefix)
                raise AssertionError(
                    f"not settled in {timeout}s: {self.tally()} queues={depths}"
                )
        for stage in ("tickets", "mail"):
            self.dead[stage].extend(await self._drain(self.topology.dead_queue(stage)))
        return self.tally()

    def _activity(self) -> tuple[int, ...]:
        calls = sum(self.double.calls.values())
        logs = sum(p.log_path.stat().st_size for p in self.processes)
        return (len(self.smtp.received), calls, logs)

    async def _queues_empty(self) -> bool:
        """No message ready in a work or wait queue, none in a process's hands."""
        running = [p for p in self.processes if p.running]
        in_hands = await asyncio.gather(*(p.in_flight() for p in running))
        if any(in_hands):
            return False
        channel = await self.connection.channel()
        try:
            for spec in self.topology.queues():
                if spec.name.endswith(".dead"):
                    continue
                queue = await channel.declare_queue(spec.name, passive=True)
                if queue.declaration_result.message_count:
                    return False
        finally:
            await channel.close()
        return True

    async def _drain(self, queue_name: str) -> list[AbstractIncomingMessage]:
        channel = await self.connection.channel()
        queue = await channel.get_queue(queue_name, ensure=False)
        taken = []
        while (message := await queue.get(fail=False, no_ack=True)) is not None:
            taken.append(message)
        await channel.close()
        return taken

    async def close(self) -> None:
        """Stop every process, delete the topology and the ledger's Redis keys."""
        await asyncio.gather(*(process.stop() for process in self.processes))
        channel = await self.connection.channel()
        await topo.delete(channel, self.topology)
        await channel.close()
        if self.uses_redis:
            client = aioredis.Redis.from_url(REDIS_URL)
            keys = [key async for key in client.scan_iter(f"{self.prefix}:*")]
            if keys:
                await client.delete(*keys)
            await client.aclose()
