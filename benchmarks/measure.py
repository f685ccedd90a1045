"""The measurements: throughput, latency, Dolibarr calls per event and memory.

Latency is from just before an event is published to the moment the SMTP sink
accepted the last of its mails. Throughput is a burst of events published at once
divided by the time until the last mail arrived. Latency percentiles come from a
separate run paced at a rate both consumers sustain, so queueing does not swamp
them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal

import aio_pika

from benchmarks.world import (
    AMQP_URL,
    API_KEY,
    SECRET,
    Child,
    World,
    dumps,
    first_line,
    service_env,
    spawn,
    wait_for_log,
)
from ticketstock import topology as topo

Kind = Literal["pipeline", "baseline"]
CREATE = "POST /api/index.php/ticketstock/tickets"
CONFIG = "GET /api/index.php/ticketstock/config"


@dataclass(frozen=True)
class Throughput:
    kind: Kind
    delay_ms: float
    events: int
    seconds: float
    calls_per_event: float
    cpu_ms_per_event: float

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds


@dataclass(frozen=True)
class Latency:
    kind: Kind
    delay_ms: float
    events: int
    rate: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Memory:
    """Resident size samples of one pipeline process, as (events past warm-up, KiB)."""

    events: int
    start_kib: int
    samples: list[tuple[int, int]]

    @property
    def warm_kib(self) -> int:
        return self.samples[0][1]

    @property
    def end_kib(self) -> int:
        return self.samples[-1][1]

    @property
    def steady_per_10k_kib(self) -> float:
        """Growth per 10 000 events over the second half of the run.

        Caches fill early (SQLite's page cache alone takes about 2 MiB over the
        first 10 000 events), so a slope over the whole run would mistake their
        filling for a leak; the second half shows what keeps growing.
        """
        return _slope(self.samples[len(self.samples) // 2 :]) * 10_000

    @property
    def projected_100k_kib(self) -> float:
        """Growth past the warm-up over 100 000 events: measured, then extended."""
        measured = self.end_kib - self.warm_kib
        rest = max(0, 100_000 - self.events)
        return measured + self.steady_per_10k_kib * rest / 10_000


@contextlib.asynccontextmanager
async def consumer(
    world: World, kind: Kind, **settings: object
) -> AsyncIterator[tuple[Child, topo.Topology]]:
    """A consumer of ``kind`` on a fresh topology; both are gone afterwards."""
    prefix = world.fresh_prefix()
    topology = await world.declare(prefix)
    if kind == "pipeline":
        env = service_env(world, prefix, **settings)
        args = ["-m", "ticketstock.cli", "run", "--role", "all"]
        child = await spawn(f"pipeline-{prefix}", args, world.workdir, env, talks=False)
    else:
        child = await spawn(
            f"baseline-{prefix}", _baseline_args(world, prefix), world.workdir
        )
    try:
        if kind == "pipeline":
            await wait_for_log(child, "service running")
        else:
            await first_line(child)
        yield child, topology
    finally:
        await child.stop()
        await world.delete(topology)
        await world.double.reset()


def _baseline_args(world: World, prefix: str) -> list[str]:
    return [
        "-m",
        "benchmarks.baseline",
        "--amqp-url",
        AMQP_URL,
        "--queue",
        f"{prefix}.tickets",
        "--dolibarr-url",
        world.double.url,
        "--api-key",
        API_KEY,
        "--secret",
        SECRET,
        "--smtp-port",
        str(world.smtp_port),
    ]


@dataclass(frozen=True)
class Batch:
    """When each event of a batch was published and when its last mail arrived,
    both by movement id (monotonic seconds)."""

    published: dict[int, float]
    finished: dict[int, float]

    @property
    def seconds(self) -> float:
        return max(self.finished.values()) - min(self.published.values())

    def latencies_ms(self) -> list[float]:
        return sorted(
            (self.finished[m] - self.published[m]) * 1000 for m in self.published
        )


async def run_events(
    world: World,
    topology: topo.Topology,
    recipients: list[str],
    events: list[dict[str, Any]],
    rate: float | None = None,
    *,
    timed: bool = True,
) -> Batch:
    """Publish ``events`` (at once, or at ``rate`` per second) and wait until every
    mail arrived; ``timed``: also match each mail to its event."""
    expected = len(world.mails.arrived) + len(events) * len(recipients)
    published: dict[int, float] = {}
    channel = await world.connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(topology.events_exchange, ensure=False)

    async def send(event: dict[str, Any]) -> None:
        published[event["movement"]["id"]] = time.monotonic()
        await exchange.publish(
            aio_pika.Message(
                dumps(event),
                message_id=event["event_id"],
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=topo.EVENT_ROUTING_KEY,
        )

    if rate is None:
        await asyncio.gather(*(send(event) for event in events))
    else:
        await _paced(send, events, rate)
    await _wait_for_mails(world, expected)
    await channel.close()
    if not timed:
        return Batch(published, {})
    return Batch(published, await _finished(world, published))


async def _paced(send: Any, events: list[dict[str, Any]], rate: float) -> None:
    started = time.monotonic()
    pending = []
    for index, event in enumerate(events):
        delay = started + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        pending.append(asyncio.create_task(send(event)))
    await asyncio.gather(*pending)


async def _wait_for_mails(world: World, expected: int, wait_s: float = 900) -> None:
    deadline = time.monotonic() + wait_s
    while len(world.mails.arrived) < expected:
        if time.monotonic() > deadline:
            missing = expected - len(world.mails.arrived)
            raise RuntimeError(f"{missing} mails never arrived")
        await asyncio.sleep(0.05)


async def _finished(world: World, published: dict[int, float]) -> dict[int, float]:
    """When the last mail of each published movement arrived."""
    movement_of = await world.double.track_ids()
    finished: dict[int, float] = {}
    for (track, _recipient), stamp in world.mails.arrived.items():
        movement = movement_of.get(track)
        if movement in published:
            finished[movement] = max(finished.get(movement, 0.0), stamp)
    return finished


async def throughput(
    world: World, kind: Kind, delay_ms: float, recipients: list[str], count: int
) -> Throughput:
    """A warm-up, then a burst of ``count`` events, timed to the last mail."""
    async with consumer(world, kind) as (child, topology):
        await world.double.set_delay(delay_ms)
        await run_events(world, topology, recipients, await world.new_events(200))
        events = await world.new_events(count)
        before = await world.double.calls()
        cpu_before = child.cpu_seconds()
        batch = await run_events(world, topology, recipients, events)
        cpu = child.cpu_seconds() - cpu_before
        after = await world.double.calls()
    calls = sum(after.get(k, 0) - before.get(k, 0) for k in (CONFIG, CREATE))
    return Throughput(
        kind, delay_ms, count, batch.seconds, calls / count, cpu / count * 1000
    )


async def latency(
    world: World,
    kind: Kind,
    delay_ms: float,
    recipients: list[str],
    count: int,
    rate: float,
) -> Latency:
    """``count`` events at ``rate`` per second; percentiles of publish → last mail."""
    async with consumer(world, kind) as (_child, topology):
        await world.double.set_delay(delay_ms)
        await run_events(world, topology, recipients, await world.new_events(200))
        events = await world.new_events(count)
        batch = await run_events(world, topology, recipients, events, rate)
    spans = batch.latencies_ms()
    return Latency(
        kind, delay_ms, count, rate, _percentile(spans, 50), _percentile(spans, 99)
    )


def _percentile(sorted_values: list[float], percent: float) -> float:
    index = round(percent / 100 * (len(sorted_values) - 1))
    return sorted_values[index]


async def calls_per_event(world: World, recipients: list[str]) -> dict[str, float]:
    """Dolibarr calls for the first event after start, and with the cache off."""
    found: dict[str, float] = {}
    async with consumer(world, "pipeline") as (_child, topology):
        events = await world.new_events(1)
        await world.double.post("/reset", {"scope": "calls"})
        await run_events(world, topology, recipients, events)
        found["first event after start (cold cache)"] = _total(
            await world.double.calls()
        )
    async with consumer(world, "pipeline", config_cache_ttl=0) as (_child, topology):
        events = await world.new_events(200)
        await world.double.post("/reset", {"scope": "calls"})
        await run_events(world, topology, recipients, events)
        calls = _total(await world.double.calls())
        # Concurrent misses share one fetch, so a burst makes fewer than 2 per event.
        found["cache disabled (TTL 0), per event in a burst"] = calls / 200
    return found


def _total(calls: dict[str, int]) -> int:
    return calls.get(CONFIG, 0) + calls.get(CREATE, 0)


async def memory(
    world: World, recipients: list[str], count: int, chunk: int = 2000
) -> Memory:
    """Resident size of one pipeline process over ``count`` events, in chunks."""
    async with consumer(world, "pipeline") as (child, topology):
        start = child.rss_kib()
        warm_up = await world.new_events(1000)
        await run_events(world, topology, recipients, warm_up, timed=False)
        warm = child.rss_kib()
        samples = [(0, warm)]
        done = 0
        while done < count:
            size = min(chunk, count - done)
            events = await world.new_events(size)
            await run_events(world, topology, recipients, events, timed=False)
            done += size
            samples.append((done, child.rss_kib()))
    return Memory(count, start, samples)


def _slope(points: list[tuple[int, int]]) -> float:
    """Least-squares slope of RSS over events: KiB per event."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
