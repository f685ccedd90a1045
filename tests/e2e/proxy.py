"""A forwarding proxy between the consumer and Dolibarr that can hold one answer.

To kill a consumer at a known point (the ticket exists in Dolibarr, the consumer
has not heard so, no mail job is published, its message is unacknowledged), the
proxy passes every request on to the real Dolibarr and, while holding, keeps the
answer of ``POST /ticketstock/tickets`` to itself: Dolibarr did the work, the
consumer waits.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

_FORWARDED = {"dolapikey", "dolapientity", "content-type", "accept"}


class HoldingProxy:
    """HTTP on a free loopback port, forwarding to ``upstream``."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.held = threading.Event()
        self.held_answer: dict[str, Any] | None = None
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> HoldingProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def hold(self, path: str, status: int, body: bytes) -> bool:
        """Whether to keep this answer back; keeps the first ticket creation only."""
        if not path.endswith("/ticketstock/tickets") or self.held.is_set():
            return False
        self.held_answer = {"status": status, **json.loads(body)}
        self.held.set()
        return True

    def wait_released(self) -> None:
        self._release.wait()


def _handler_for(proxy: HoldingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._forward()

        def do_POST(self) -> None:
            self._forward()

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() in _FORWARDED}
            with httpx.Client(trust_env=False, timeout=60.0) as client:
                answer = client.request(
                    self.command,
                    proxy.upstream + self.path,
                    headers=headers,
                    content=body,
                )
            if self.command == "POST" and proxy.hold(
                self.path, answer.status_code, answer.content
            ):
                # Dolibarr answered; the consumer never hears it.
                proxy.wait_released()
                self.close_connection = True
                return
            self.send_response(answer.status_code)
            content_type = answer.headers.get("Content-Type", "application/json")
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the consumer's own log says what it asked."""

    return Handler
