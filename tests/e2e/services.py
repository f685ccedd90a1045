"""The consumer and the sender as real processes, and the ``ticketstock`` CLI.

Each process is ``python -m ticketstock.cli run --role ROLE`` writing JSON log
lines to its own file, so a case can read what it did, even after killing it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

READY_LINE = "service running"
# Variables a developer's shell may hold that must not reach the processes: their
# own TICKETSTOCK_* settings, and proxies (everything here talks to loopback).
_DROPPED = ("TICKETSTOCK_", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def child_env(settings: dict[str, str]) -> dict[str, str]:
    """The environment of a child process: ours, cleaned, plus these settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith(_DROPPED)
    }
    env.update(settings)
    return env


class ServiceProcess:
    """One ``ticketstock run --role ROLE`` process and its log file."""

    def __init__(self, role: str, env: dict[str, str], log_path: Path) -> None:
        self.role = role
        self.log_path = log_path
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None, "not started"
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 30.0) -> ServiceProcess:
        """Start it and wait for its running line; fail with its log if it dies."""
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log_file:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "ticketstock.cli", "run", "--role", self.role],
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
            )
        deadline = time.monotonic() + timeout
        while READY_LINE not in self.log_text()[offset:]:
            if not self.running:
                raise AssertionError(f"{self.role} exited:\n{self.log_text()[offset:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.role} not running after {timeout}s")
            time.sleep(0.1)
        return self

    def kill(self) -> None:
        """SIGKILL: no drain, no goodbye to the broker."""
        if self._process is not None and self.running:
            self._process.kill()
            self._process.wait(10)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, so that it drains; SIGKILL if it does not exit in time."""
        if self._process is None or not self.running:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def settled(self, **fields: Any) -> list[dict[str, Any]]:
        """Its per-message outcome lines whose fields match ``fields``."""
        found = []
        for line in self.log_text().splitlines():
            if not line.startswith("{"):
                continue
            with contextlib.suppress(json.JSONDecodeError):
                record = json.loads(line)
                if not record.get("message", "").startswith("message settled"):
                    continue
                if all(record.get(key) == value for key, value in fields.items()):
                    found.append(record)
        return found


def publish_events(env: dict[str, str], path: Path) -> str:
    """``ticketstock publish FILE``: what an operator would run to resend an event."""
    done = subprocess.run(
        [sys.executable, "-m", "ticketstock.cli", "publish", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"ticketstock publish failed: {done.stderr.strip()}")
    return done.stdout.strip()
