"""Against a real Dolibarr, when one is configured: the pipeline versus Dolibarr's own limit.

Needs ``TICKETSTOCK_BENCH_DOLIBARR_URL`` and ``TICKETSTOCK_BENCH_DOLIBARR_API_KEY``
(a user with stock and ticket rights, in a test instance: this writes stock
movements and tickets), plus ``TICKETSTOCK_BENCH_PRODUCT_ID`` and
``TICKETSTOCK_BENCH_WAREHOUSE_ID`` (a warehouse the module watches).

It times ``POST /stockmovements`` one at a time (what a user waits for, with the
module as it is configured now), runs the pipeline over events for those movements,
then loops ``POST /tickets`` at the same concurrency. Dolibarr's REST API cannot
switch a module on or off, so the trigger's cost needs a second run with the module
disabled: pass that run's mean in ``TICKETSTOCK_BENCH_MOVEMENT_BASELINE_MS``.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.baseline import recipient_addresses
from benchmarks.measure import consumer, run_events
from benchmarks.world import World

URL = "TICKETSTOCK_BENCH_DOLIBARR_URL"
KEY = "TICKETSTOCK_BENCH_DOLIBARR_API_KEY"
PRODUCT = "TICKETSTOCK_BENCH_PRODUCT_ID"
WAREHOUSE = "TICKETSTOCK_BENCH_WAREHOUSE_ID"
MOVEMENT_BASELINE = "TICKETSTOCK_BENCH_MOVEMENT_BASELINE_MS"
CONCURRENCY = 8


@dataclass(frozen=True)
class RealResult:
    movements: int
    movement_ms: float
    movement_baseline_ms: float | None
    pipeline_tickets_per_s: float
    direct_tickets_per_s: float
    direct_failures: int


def skip_reason() -> str | None:
    missing = [
        name for name in (URL, KEY, PRODUCT, WAREHOUSE) if not os.environ.get(name)
    ]
    if missing:
        return "no real Dolibarr configured (set " + ", ".join(missing) + ")"
    return None


async def measure(world: World, count: int) -> RealResult:
    base = os.environ[URL].rstrip("/")
    headers = {"DOLAPIKEY": os.environ[KEY], "Accept": "application/json"}
    async with httpx.AsyncClient(
        base_url=base + "/api/index.php", headers=headers, timeout=60
    ) as client:
        movements, movement_ms = await _movements(client, count)
        config = (await client.get("/ticketstock/config")).raise_for_status().json()
        events = await _events(client, world, movements)
        pipeline = await _through_pipeline(
            world, base, events, recipient_addresses(config)
        )
        direct, failures = await _direct_creates(client, count)
    baseline = os.environ.get(MOVEMENT_BASELINE)
    return RealResult(
        count,
        movement_ms,
        float(baseline) if baseline else None,
        pipeline,
        direct,
        failures,
    )


async def _movements(client: httpx.AsyncClient, count: int) -> tuple[list[int], float]:
    ids, spent = [], 0.0
    body = {
        "product_id": int(os.environ[PRODUCT]),
        "warehouse_id": int(os.environ[WAREHOUSE]),
        "qty": 1,
        "movementlabel": "TicketStock benchmark",
    }
    for _ in range(count):
        started = time.monotonic()
        response = await client.post("/stockmovements", json=body)
        spent += time.monotonic() - started
        ids.append(int(response.raise_for_status().json()))
    return ids, spent / count * 1000


async def _events(
    client: httpx.AsyncClient, world: World, movements: list[int]
) -> list[dict[str, Any]]:
    """Events for the movements, with the product and warehouse as Dolibarr has them."""
    product = (await client.get(f"/products/{os.environ[PRODUCT]}")).json()
    warehouse = (await client.get(f"/warehouses/{os.environ[WAREHOUSE]}")).json()
    as_product = {
        "id": int(product["id"]),
        "ref": product["ref"],
        "label": product.get("label"),
    }
    as_warehouse = {"id": int(warehouse["id"]), "ref": warehouse["ref"]}
    return [world.event(m, as_product, as_warehouse) for m in movements]


async def _through_pipeline(
    world: World, base: str, events: list[dict[str, Any]], recipients: list[str]
) -> float:
    if not recipients:
        raise RuntimeError("the module's configuration has no recipient to time")
    real = {"dolibarr_url": base, "dolibarr_api_key": os.environ[KEY]}
    async with consumer(world, "pipeline", **real) as (_child, topology):
        started = time.monotonic()
        await run_events(world, topology, recipients, events, timed=False)
        seconds = time.monotonic() - started
    return len(events) / seconds


async def _direct_creates(client: httpx.AsyncClient, count: int) -> tuple[float, int]:
    """``POST /tickets`` at the pipeline's concurrency; refused creates counted."""
    limit = asyncio.Semaphore(CONCURRENCY)
    failures = 0

    async def create() -> None:
        nonlocal failures
        body: dict[str, Any] = {
            "subject": "TicketStock benchmark",
            "message": "Direct create, for comparison.",
            "track_id": "bench" + uuid.uuid4().hex,
        }
        async with limit:
            response = await client.post("/tickets", json=body)
        failures += response.status_code >= 400

    started = time.monotonic()
    await asyncio.gather(*(create() for _ in range(count)))
    return (count - failures) / (time.monotonic() - started), failures
