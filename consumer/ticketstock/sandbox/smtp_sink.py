"""A real SMTP server (aiosmtpd) that keeps what it accepts and answers as scripted.

Used by tests, benchmarks and ``ticketstock sandbox``. Replies can be scripted per
message: accept, a temporary 451, a permanent 550, or dropping the connection after
the data was sent; and per recipient: a refusal at RCPT (a full mailbox) that lasts
until it is lifted.
"""

from __future__ import annotations

import email
import email.policy
import ssl
import threading
from collections import deque
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller

Reply = Literal["accept", "451", "550", "drop"]


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    data: bytes

    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        refusal = self._sink.refusal_for(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = self._sink.next_reply()
        if reply == "451":
            return "451 4.3.0 Try again later"
        if reply == "550":
            return "550 5.1.1 Mailbox unavailable"
        if reply == "drop":
            server.transport.close()
            return "421 4.4.2 Connection dropped"
        self._sink.keep(
            Received(envelope.mail_from, tuple(envelope.rcpt_tos), envelope.content)
        )
        return "250 2.0.0 OK"


class SmtpSink:
    """An SMTP server on loopback, run in its own thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        folder: Path | None = None,
        *,
        tls: ssl.SSLContext | None = None,
        starttls: ssl.SSLContext | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._script: deque[Reply] = deque()
        self._refused: dict[str, str] = {}
        self._folder = folder
        self.received: list[Received] = []
        self.port = port or _free_port(host)
        self.host = host
        # ``tls``: implicit TLS from the first byte; ``starttls``: plain, then upgraded.
        options: dict[str, Any] = {}
        if tls is not None:
            options["ssl_context"] = tls
        if starttls is not None:
            options.update(tls_context=starttls, require_starttls=True)
        self._controller = Controller(
            _Handler(self), hostname=host, port=self.port, **options
        )

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def script(self, *replies: Reply) -> None:
        """Answer the next messages with these replies, then accept again."""
        with self._lock:
            self._script.extend(replies)

    def refuse(self, address: str, reply: str = "452 4.2.2 Mailbox full") -> None:
        """Answer ``reply`` at RCPT for this address, every time, until :meth:`accept`."""
        with self._lock:
            self._refused[address.lower()] = reply

    def accept(self, address: str) -> None:
        """Stop refusing this address."""
        with self._lock:
            self._refused.pop(address.lower(), None)

    def refusal_for(self, address: str) -> str | None:
        with self._lock:
            return self._refused.get(address.lower())

    def next_reply(self) -> Reply:
        with self._lock:
            return self._script.popleft() if self._script else "accept"

    def keep(self, item: Received) -> None:
        with self._lock:
            self.received.append(item)
            count = len(self.received)
        if self._folder is not None:
            self._folder.mkdir(parents=True, exist_ok=True)
            (self._folder / f"{count:06d}.eml").write_bytes(item.data)

    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [item.message() for item in self.received]


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
