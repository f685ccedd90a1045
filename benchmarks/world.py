"""What a benchmark runs against: the Dolibarr double and the SMTP sink as processes,
a private topology on the real RabbitMQ, and the consumer under test as a process.

Every process is started here and stopped here; each one runs on loopback only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import httpx

from ticketstock import topology as topo

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
API_KEY = "benchmark-api-key"
SECRET = "benchmark-track-id-secret-0123456789"  # noqa: S105 - a loopback double's
INSTANCE = "bench"


@dataclass
class Child:
    """A process started by the benchmark, with its output kept in a file."""

    name: str
    process: asyncio.subprocess.Process
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_kib(self) -> int:
        """Resident set size, from the kernel's own accounting."""
        status = Path(f"/proc/{self.pid}/status").read_text(encoding="ascii")
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError(f"no VmRSS for {self.name}")

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used so far."""
        stat = Path(f"/proc/{self.pid}/stat").read_text(encoding="ascii")
        # Fields after the command name, which is in parentheses and may hold spaces.
        fields = stat.rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def spawn(
    name: str,
    args: list[str],
    workdir: Path,
    env: dict[str, str] | None = None,
    *,
    talks: bool = True,
) -> Child:
    """Start ``python ARGS``; ``talks``: it reports on standard output."""
    log_path = workdir / f"{name}.log"
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if talks else log,
            stderr=log,
            env=env,
        )
    return Child(name, process, log_path)


async def first_line(child: Child, wait_s: float = 60) -> str:
    """The child's first line on standard output, which says it is ready."""
    assert child.process.stdout is not None
    line = await asyncio.wait_for(child.process.stdout.readline(), wait_s)
    if not line:
        log = child.log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{child.name} exited before it was ready:\n{log}")
    return line.decode().strip()


@dataclass
class Mails:
    """Arrival times of mails at the sink, by (track id, recipient): a mail sent
    twice counts once, at its first arrival."""

    arrived: dict[tuple[str, str], float] = field(default_factory=dict)

    async def follow(self, child: Child) -> None:
        assert child.process.stdout is not None
        async for raw in child.process.stdout:
            track, recipient, stamp = raw.decode().split()
            self.arrived.setdefault((track, recipient), float(stamp))


class Double:
    """The Dolibarr double as a process, driven through its control API."""

    def __init__(self, child: Child, url: str) -> None:
        self.child = child
        self.url = url
        self._http = httpx.AsyncClient(base_url=url + "/_double", timeout=60)

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self._http.post(path, json=body)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    async def set_delay(self, ms: float) -> None:
        await self.post("/faults", {"clear": True, "delay_ms": ms})

    async def reset(self) -> None:
        await self.post("/reset", {"scope": "run"})

    async def track_ids(self) -> dict[str, int]:
        """Movement id by ticket track id, for every ticket since the last reset."""
        response = await self._http.get("/state")
        response.raise_for_status()
        tickets = response.json()["tickets"]
        return {t["track_id"]: t["movement_id"] for t in tickets}

    async def calls(self) -> dict[str, int]:
        response = await self._http.get("/state", params={"tickets": "0"})
        response.raise_for_status()
        calls: dict[str, int] = response.json()["calls"]
        return calls

    async def aclose(self) -> None:
        await self._http.aclose()


@dataclass
class World:
    """The double, the sink and a private topology, for one benchmark invocation."""

    workdir: Path
    double: Double
    sink: Child
    smtp_port: int
    mails: Mails
    connection: aio_pika.abc.AbstractRobustConnection
    demo: dict[str, Any]
    next_movement: int = 1_000_000
    _follower: asyncio.Task[None] | None = None

    def fresh_prefix(self) -> str:
        return f"ts-bench-{uuid.uuid4().hex[:8]}"

    async def movements(self, count: int) -> list[int]:
        """``count`` new movements into the watched warehouse, in the double."""
        first = self.next_movement
        self.next_movement += count
        await self.double.post(
            "/seed",
            {
                "movement_ranges": [
                    {
                        "first_id": first,
                        "count": count,
                        "product_id": self.demo["product_id"],
                        "warehouse_id": self.demo["warehouse_id"],
                        "qty": 1,
                        "type": 3,
                    }
                ]
            },
        )
        return list(range(first, first + count))

    async def new_events(self, count: int) -> list[dict[str, Any]]:
        """Events for ``count`` new returns into the double's watched warehouse."""
        return [self.event(m) for m in await self.movements(count)]

    def event(
        self,
        movement_id: int,
        product: dict[str, Any] | None = None,
        warehouse: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The event the module publishes for a return of one unit."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        return {
            "event_id": str(uuid.uuid4()),
            "schema_version": 1,
            "occurred_at": now,
            "instance_id": INSTANCE,
            "entity": 1,
            "movement": {
                "id": movement_id,
                "type": 3,
                "qty": 1,
                "product": product or self.demo["product"],
                "warehouse": warehouse or self.demo["warehouse"],
                "batch": None,
                "label": "Customer return",
                "inventory_code": None,
                "origin": None,
                "project_id": None,
                "user": {"id": 1, "login": "admin"},
                "date": now,
            },
        }

    async def declare(self, prefix: str) -> topo.Topology:
        topology = topo.Topology(prefix, (1, 2))
        channel = await self.connection.channel()
        await topo.declare(channel, topology)
        await channel.close()
        return topology

    async def delete(self, topology: topo.Topology) -> None:
        channel = await self.connection.channel()
        await topo.delete(channel, topology)
        await channel.close()


@contextlib.asynccontextmanager
async def world() -> AsyncIterator[World]:
    """Start the double and the sink, connect to RabbitMQ; stop all of it after."""
    with tempfile.TemporaryDirectory(prefix="ticketstock-bench-") as tmp:
        workdir = Path(tmp)
        double_child = await spawn(
            "double",
            [
                "-m",
                "ticketstock.sandbox.dolibarr_double",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--api-key",
                API_KEY,
                "--main-url",
                "https://erp.example.com",
                "--log-level",
                "WARNING",
            ],
            workdir,
        )
        sink_child = await spawn(
            "sink", ["-m", "benchmarks.sink", "--port", "0"], workdir
        )
        children = [double_child, sink_child]
        connection: aio_pika.abc.AbstractRobustConnection | None = None
        try:
            double = Double(double_child, await first_line(double_child))
            smtp_port = int((await first_line(sink_child)).split()[1])
            demo = (await double.post("/seed", {"demo": True}))["demo"]
            connection = await aio_pika.connect_robust(
                AMQP_URL, client_properties={"connection_name": "ticketstock bench"}
            )
            mails = Mails()
            built = World(
                workdir, double, sink_child, smtp_port, mails, connection, demo
            )
            built._follower = asyncio.create_task(mails.follow(sink_child))
            yield built
        finally:
            if connection is not None:
                await connection.close()
            for child in children:
                await child.stop()


def service_env(world: World, prefix: str, **settings: object) -> dict[str, str]:
    """The environment of a ``ticketstock run`` process under benchmark."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETSTOCK_")}
    values: dict[str, object] = {
        "amqp_url": AMQP_URL,
        "amqp_prefix": prefix,
        "retry_delays": "[1,2]",
        "dolibarr_url": world.double.url,
        "dolibarr_api_key": API_KEY,
        "track_id_secret": SECRET,
        "smtp_port": world.smtp_port,
        "mail_from": "ticketstock@example.com",
        "ledger_path": world.workdir / f"{prefix}-ledger.sqlite3",
        "http_enabled": "false",
    }
    values.update(settings)
    env.update({f"TICKETSTOCK_{k.upper()}": str(v) for k, v in values.items()})
    return env


async def wait_for_log(child: Child, text: str, wait_s: float = 60) -> None:
    deadline = time.monotonic() + wait_s
    while text not in child.log_path.read_text(errors="replace"):
        if child.process.returncode is not None or time.monotonic() > deadline:
            log = child.log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{child.name} did not say {text!r}:\n{log}")
        await asyncio.sleep(0.05)


def dumps(document: dict[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()
