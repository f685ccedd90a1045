"""Service processes under test, and the broker's view of them through rabbitmqctl.

Each process is a real ``python -m ticketstock.cli run`` writing JSON log lines to a
file of its own, so a test can read what every process did after killing it.
Broker connections are found by the name the service gives its connection
(``ticketstock <roles> <host>:<pid>``), so a test only ever closes its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

READY_LINE = "service running"
_HTTP_PORT = re.compile(r"http endpoints listening host=\S+ port=(\d+)")
_CONNECTION_NAME = re.compile(r'\{"connection_name","([^"]*)"\}')
# What Service names its connection: "ticketstock <roles> <host>:<pid>".
_SERVICE_NAME = re.compile(r"^ticketstock \S+ \S+:(\d+)$")


class ServiceProcess:
    """One ``ticketstock run --role ROLE`` process and its log file."""

    def __init__(self, role: str, env: dict[str, str], log_path: Path) -> None:
        self.role = role
        self._env = env
        self.log_path = log_path
        self._process: asyncio.subprocess.Process | None = None
        self.returncode: int | None = None

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("the process was not started")
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self) -> None:
        with self.log_path.open("ab") as log_file:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "ticketstock.cli",
                "run",
                "--role",
                self.role,
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
            )

    async def ready(self, timeout: float = 30.0) -> None:
        """Wait for the service's running line; fail with its log if it died."""
        deadline = time.monotonic() + timeout
        while READY_LINE not in self.log_text():
            if not self.running:
                raise AssertionError(f"{self.role} process exited:\n{self.log_text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.role} process not ready in {timeout}s")
            await asyncio.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no drain, no goodbye to the broker."""
        if self.running:
            self._signal(signal.SIGKILL)

    def terminate(self) -> None:
        """SIGTERM: the service drains in-flight messages, then exits."""
        if self.running:
            self._signal(signal.SIGTERM)

    def _signal(self, signum: int) -> None:
        assert self._process is not None
        self._process.send_signal(signum)

    async def wait(self, timeout: float) -> int:
        assert self._process is not None
        self.returncode = await asyncio.wait_for(self._process.wait(), timeout)
        return self.returncode

    async def stop(self) -> None:
        """Make sure the process is gone; used by teardown."""
        if self._process is None:
            return
        if self.running:
            self.kill()
        with contextlib.suppress(TimeoutError):
            await self.wait(10)

    @property
    def http_port(self) -> int:
        """The port of the process's metrics endpoint (it listens on port 0)."""
        match = _HTTP_PORT.search(self.log_text())
        if match is None:
            raise AssertionError(f"{self.role} process has no HTTP endpoint")
        return int(match[1])

    async def in_flight(self) -> float:
        """Messages the process is handling now, from its own metrics."""
        url = f"http://127.0.0.1:{self.http_port}/metrics"
        async with httpx.AsyncClient() as client:
            response = await client.get(url, timeout=5)
        return sum(
            sample.value
            for family in text_string_to_metric_families(response.text)
            if family.name == "ticketstock_messages_in_flight"
            for sample in family.samples
        )

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def records(self) -> list[dict[str, Any]]:
        """The process's JSON log lines; anything else (a traceback) is skipped."""
        found = []
        for line in self.log_text().splitlines():
            if not line.startswith("{"):
                continue
            with contextlib.suppress(json.JSONDecodeError):
                found.append(json.loads(line))
        return found

    def settled(self, outcome: str | None = None) -> list[dict[str, Any]]:
        """The process's per-message outcome lines, optionally of one outcome."""
        return [
            record
            for record in self.records()
            if record.get("message", "").startswith("message settled")
            and (outcome is None or record.get("outcome") == outcome)
        ]


async def _rabbitmqctl(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        "rabbitmqctl",
        *args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise AssertionError(f"rabbitmqctl {args[0]} failed: {err.decode()}")
    return out.decode()


async def connections_of(pids: set[int]) -> dict[str, str]:
    """Broker connection pid → connection name, for the services with these pids."""
    listing = await _rabbitmqctl("list_connections", "-q", "pid", "client_properties")
    found = {}
    for line in listing.splitlines():
        broker_pid, _, properties = line.partition("\t")
        match = _CONNECTION_NAME.search(properties)
        service = _SERVICE_NAME.match(match.group(1)) if match else None
        if match is not None and service is not None and int(service[1]) in pids:
            found[broker_pid] = match.group(1)
    return found


async def close_connections(pids: set[int], reason: str) -> set[str]:
    """Close the broker connections of these service processes; their broker pids."""
    connections = await connections_of(pids)
    for broker_pid in connections:
        await _rabbitmqctl("close_connection", broker_pid, reason)
    return set(connections)


async def queue_depths(prefix: str) -> dict[str, tuple[int, int]]:
    """Queue name → (ready, unacked) for the queues whose names start with prefix."""
    listing = await _rabbitmqctl(
        "list_queues",
        "-q",
        "--formatter",
        "json",
        "name",
        "messages_ready",
        "messages_unacknowledged",
    )
    return {
        row["name"]: (int(row["messages_ready"]), int(row["messages_unacknowledged"]))
        for row in json.loads(listing)
        if row["name"].startswith(prefix + ".")
    }
