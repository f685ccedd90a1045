"""One service process: the ticket consumer, the mail sender, or both, and their endpoints.

:func:`run` is what ``ticketstock run`` calls: it connects (waiting for RabbitMQ if
it is down), starts the workers and the HTTP endpoints, and on SIGTERM or SIGINT
drains in-flight messages within ``shutdown_timeout`` before closing the channels,
then the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket

from .broker import CONNECTION_ERRORS, Broker
from .config_cache import ConfigCache
from .dolibarr import DolibarrClient, DolibarrPort
from .errors import SettingsError, TransientError
from .health import HealthServer
from .ledger import Ledger, make_ledger
from .metrics import Metrics
from .sender import MailHandler
from .settings import ENV_PREFIX, Role, Settings
from .tickets import TicketHandler
from .transport import MailTransport, make_transport
from .worker import Worker

log = logging.getLogger(__name__)

QUEUE_SAMPLE_INTERVAL_S = 15.0


class Service:
    """The workers of the chosen roles on one broker connection."""

    def __init__(
        self,
        settings: Settings,
        roles: set[Role],
        *,
        dolibarr: DolibarrPort | None = None,
        transport: MailTransport | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        settings.require(roles)
        self.settings = settings
        self.roles = roles
        self.metrics = metrics or Metrics()
        name = f"ticketstock {'+'.join(sorted(roles))} {socket.gethostname()}:{os.getpid()}"
        self.broker = Broker(settings, name=name)
        self._dolibarr = dolibarr
        self._own_dolibarr: DolibarrClient | None = None
        self._transport = transport
        self._ledger: Ledger | None = None
        self._mail_transport: MailTransport | None = None
        self.workers: list[Worker] = []
        self.health: HealthServer | None = None
        self._sampler: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open what can fail for good first (ledger, HTTP port), then consume."""
        if "tickets" in self.roles:
            self.workers.append(self._ticket_worker())
        if "mail" in self.roles:
            self.workers.append(self._mail_worker())
        if self.settings.http_enabled:
            await self._start_health()
        await self.broker.connect()
        for worker in self.workers:
            await worker.start()
        self._sampler = asyncio.create_task(self._sample_queues())

    async def _start_health(self) -> None:
        s = self.settings
        self.health = HealthServer(
            self.metrics, self.readiness, s.http_host, s.http_port
        )
        try:
            await self.health.start()
        except OSError as exc:
            raise SettingsError(
                f"{ENV_PREFIX}HTTP_HOST/HTTP_PORT: cannot listen on "
                f"{s.http_host}:{s.http_port}: {exc.strerror or exc}"
            ) from exc

    def _ticket_worker(self) -> Worker:
        s = self.settings
        if self._dolibarr is None:
            self._own_dolibarr = DolibarrClient(s, self.metrics)
            self._dolibarr = self._own_dolibarr
        assert s.track_id_secret is not None
        handler = TicketHandler(
            self._dolibarr,
            ConfigCache(self._dolibarr, s.config_cache_ttl),
            self.broker,
            self.broker.topology.mail_exchange,
            s.track_id_secret.get_secret_value().encode(),
            self.metrics,
        )
        return Worker(
            "tickets", handler, self.broker, self.metrics, prefetch=s.ticket_prefetch
        )

    def _mail_worker(self) -> Worker:
        s = self.settings
        transport = self._transport or make_transport(s, self.metrics)
        self._mail_transport = transport
        self._ledger = make_ledger(s)
        handler = MailHandler(
            transport, self._ledger, s.mail_from, s.mail_from_name, self.metrics
        )
        return Worker(
            "mail", handler, self.broker, self.metrics, prefetch=s.mail_prefetch
        )

    def readiness(self) -> dict[str, bool]:
        checks = {"broker": self.broker.is_connected}
        for worker in self.workers:
            checks[f"consuming:{worker.queue_name}"] = worker.is_consuming
        return checks

    async def _sample_queues(self) -> None:
        names = [w.queue_name for w in self.workers]
        names += [self.broker.topology.dead_queue(w.stage) for w in self.workers]
        while True:
            await asyncio.sleep(QUEUE_SAMPLE_INTERVAL_S)
            with contextlib.suppress(*CONNECTION_ERRORS, RuntimeError):
                channel = await self.broker.connection.channel()
                try:
                    for name in names:
                        queue = await channel.declare_queue(name, passive=True)
                        count = queue.declaration_result.message_count or 0
                        self.metrics.queue_depth.labels(name).set(count)
                finally:
                    await channel.close()

    async def stop(self) -> None:
        """Drain the workers, then close everything in reverse order of opening."""
        if self._sampler is not None:
            self._sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sampler
        timeout = self.settings.shutdown_timeout
        await asyncio.gather(*(w.stop(timeout) for w in self.workers))
        if self.health is not None:
            await self.health.stop()
        if self._own_dolibarr is not None:
            await self._own_dolibarr.aclose()
        if self._mail_transport is not None:
            await self._mail_transport.aclose()
        if self._ledger is not None:
            await self._ledger.close()
        await self.broker.close()


async def run(settings: Settings, roles: set[Role]) -> None:
    """Run until SIGTERM or SIGINT, waiting for RabbitMQ at start if it is down."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    service = Service(settings, roles)
    delay = 1.0
    started = False
    while not stop.is_set():
        try:
            await service.start()
            started = True
            break
        except TransientError as exc:
            log.warning("start failed reason=%s retry_in_s=%.0f", exc.reason, delay)
            await service.stop()
            service = Service(settings, roles)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 30.0)
        except BaseException:
            await service.stop()
            raise
    if not started:
        await service.stop()
        return
    log.info("service running roles=%s", ",".join(sorted(roles)))
    await stop.wait()
    log.info("service stopping")
    await service.stop()
    log.info("service stopped")
