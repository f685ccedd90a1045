"""``python -m benchmarks``: measure the pipeline against a minimal baseline and print tables.

Needs what the tests need (RabbitMQ on 127.0.0.1:5672 with guest/guest); starts the
Dolibarr double, an SMTP sink and the consumers as processes of its own. Always
exits 0: it reports, it does not judge a build. A section that fails prints why.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import httpx

from benchmarks import measure, real_dolibarr, report
from benchmarks.baseline import recipient_addresses
from benchmarks.world import API_KEY, World, world

DELAYS_MS = (0.0, 20.0)
SECTIONS = ("speed", "calls", "memory", "real")
KINDS: tuple[measure.Kind, ...] = ("baseline", "pipeline")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--events", type=int, default=1000, help="events per throughput burst"
    )
    parser.add_argument(
        "--latency-events", type=int, default=300, help="events per paced run"
    )
    parser.add_argument(
        "--memory-events",
        type=int,
        default=20_000,
        help="events for the memory run (the target is stated for 100 000)",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="the memory run over 100 000 events, as the target is stated",
    )
    parser.add_argument(
        "--real-events", type=int, default=200, help="events against a real Dolibarr"
    )
    parser.add_argument(
        "--only",
        type=lambda text: [part.strip() for part in text.split(",")],
        default=list(SECTIONS),
        help="comma-separated sections to run, of: " + ", ".join(SECTIONS),
    )
    args = parser.parse_args(argv)
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    if args.full:
        args.memory_events = 100_000
    return args


LOADS: list[float] = []


async def guarded(
    title: str, step: Callable[[], Awaitable[Any]], failures: list[str]
) -> Any:
    """Run one section; a failure is printed and the next section still runs."""
    print(f"running: {title} ...", file=sys.stderr, flush=True)
    # Other work on the machine moves every figure but CPU per event; say how busy
    # it was, so two reports can be compared.
    LOADS.append(os.getloadavg()[0])
    try:
        return await step()
    except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
        traceback.print_exc(file=sys.stderr)
        failures.append(f"{title}: {type(exc).__name__}: {exc}")
        return None


async def recipients_of(bench: World) -> list[str]:
    url = bench.double.url + "/api/index.php/ticketstock/config"
    async with httpx.AsyncClient() as client:
        response = await client.get(url, headers={"DOLAPIKEY": API_KEY})
    return recipient_addresses(response.raise_for_status().json())


async def speed(
    bench: World, args: argparse.Namespace, recipients: list[str], failures: list[str]
) -> tuple[list[measure.Throughput], list[measure.Latency]]:
    bursts: list[measure.Throughput] = []
    paced: list[measure.Latency] = []
    for delay in DELAYS_MS:
        here: list[measure.Throughput] = []
        for kind in KINDS:
            found = await guarded(
                f"{kind} throughput, double at {delay:g} ms",
                partial(
                    measure.throughput, bench, kind, delay, recipients, args.events
                ),
                failures,
            )
            if found is not None:
                here.append(found)
        bursts += here
        if not here:
            continue
        rate = 0.5 * min(b.events_per_s for b in here)
        for kind in KINDS:
            step = partial(
                measure.latency,
                bench,
                kind,
                delay,
                recipients,
                args.latency_events,
                rate,
            )
            found = await guarded(
                f"{kind} latency at {rate:.0f} events/s, double at {delay:g} ms",
                step,
                failures,
            )
            if found is not None:
                paced.append(found)
    return bursts, paced


async def main_async(args: argparse.Namespace) -> report.Results:
    results = report.Results(args=vars(args), machine=_machine())
    started = time.monotonic()
    chosen = set(args.only)
    async with world() as bench:
        recipients = await recipients_of(bench)
        if "speed" in chosen:
            results.throughput, results.latency = await speed(
                bench, args, recipients, results.failures
            )
        if "calls" in chosen:
            results.calls = await guarded(
                "Dolibarr calls per event",
                lambda: measure.calls_per_event(bench, recipients),
                results.failures,
            )
        if "memory" in chosen:
            results.memory = await guarded(
                f"memory over {args.memory_events} events",
                lambda: measure.memory(bench, recipients, args.memory_events),
                results.failures,
            )
        results.real_skipped = real_dolibarr.skip_reason()
        if "real" not in chosen:
            results.real_skipped = "not chosen with --only"
        if results.real_skipped is None:
            results.real = await guarded(
                "real Dolibarr",
                lambda: real_dolibarr.measure(bench, args.real_events),
                results.failures,
            )
    results.seconds = time.monotonic() - started
    results.loads = LOADS
    return results


def _machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = asyncio.run(main_async(args))
    print(report.render(results))
    return 0
