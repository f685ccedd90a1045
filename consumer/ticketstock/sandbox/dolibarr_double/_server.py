"""The double itself: an aiohttp server over the store, with seeding and faults."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections import Counter
from types import TracebackType
from typing import Final, Self

from aiohttp import web

from ._api import DolibarrApi
from ._control import control_routes
from ._faults import Failure, FaultPlan, Hang
from ._gate import Gate
from ._records import Ticket
from ._seeding import Seeding
from ._store import Store

logger = logging.getLogger(__name__)

DEFAULT_MODULE_VERSION: Final = "1.0.0"
# Seeding a benchmark's movements in one control call can be several megabytes.
_MAX_BODY: Final = 64 * 1024 * 1024


def require_loopback(host: str) -> None:
    """Refuse to listen anywhere but loopback: the double has no real security."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the Dolibarr double listens on loopback only, not {host!r}")


class DolibarrDouble(Seeding):
    """A Dolibarr 23 with the TicketStock module, in memory, over real HTTP.

    ``main_url`` is Dolibarr's configured root URL, the base of ticket links in the
    module's config; it defaults to the double's own root once started.
    """

    def __init__(
        self,
        api_key: str,
        *,
        main_url: str | None = None,
        module_version: str = DEFAULT_MODULE_VERSION,
        delay_ms: float = 0.0,
    ) -> None:
        if not api_key:
            raise ValueError("api_key must not be empty")
        self._store = Store()
        self._faults = FaultPlan()
        self._faults.delay_s = delay_ms / 1000
        self._gate = Gate(api_key, self._faults, Counter(), asyncio.Event())
        self._api = DolibarrApi(
            self._store, self._faults, module_version, self._ticket_url_base
        )
        self._main_url = main_url.rstrip("/") if main_url else None
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    # -- lifecycle -----------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0: a free port); answer Dolibarr's root URL."""
        require_loopback(host)
        if self._runner is not None:
            raise RuntimeError("the double is already started")
        self._gate.stopping = asyncio.Event()
        app = web.Application(
            middlewares=[self._gate.middleware()], client_max_size=_MAX_BODY
        )
        app.add_routes(self._api.routes())
        app.add_routes(control_routes(self))
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        self._base_url = f"http://{shown}:{bound_port}"
        logger.info("dolibarr double started url=%s", self._base_url)
        return self._base_url

    async def stop(self) -> None:
        """Stop listening; requests held by a hang fault are released first."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._gate.stopping.set()
        await runner.cleanup()
        logger.info("dolibarr double stopped url=%s", self._base_url)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """Dolibarr's root URL, without ``/api/index.php``."""
        if self._base_url is None:
            raise RuntimeError("the double has not been started")
        return self._base_url

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/index.php"

    def _ticket_url_base(self) -> str:
        return f"{self._main_url or self.base_url}/ticket/card.php"

    # -- inspection ----------------------------------------------------------

    @property
    def tickets(self) -> list[Ticket]:
        """Every ticket of every entity, in id order."""
        return list(self._store.tickets.values())

    @property
    def calls(self) -> Counter[tuple[str, str]]:
        """A copy of the API call counts by (method, path template)."""
        return self._gate.calls.copy()

    def reset_calls(self) -> None:
        self._gate.calls.clear()

    def reset(self, scope: str = "run") -> None:
        """Forget ``calls``; or a ``run`` (tickets, calls, faults); or ``all``."""
        if scope not in ("calls", "run", "all"):
            raise ValueError(f"unknown reset scope {scope!r}")
        self.reset_calls()
        if scope == "calls":
            return
        self._store.clear_tickets()
        self._faults.clear()
        if scope == "all":
            self._store.clear_all()

    # -- faults --------------------------------------------------------------

    def set_delay(self, ms: float) -> None:
        """Delay every API answer by ``ms`` milliseconds (0: none)."""
        if ms < 0:
            raise ValueError("delay must not be negative")
        self._faults.delay_s = ms / 1000

    def fail_next(
        self,
        status: int,
        count: int | None = 1,
        *,
        path: str | None = None,
        method: str | None = None,
        message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Answer ``status`` with Dolibarr's error body to the next ``count``
        matching requests (None: until cleared). ``path`` is a concrete path or a
        route template such as ``/api/index.php/tickets/{id}``."""
        _check_count(count)
        if not 400 <= status <= 599:
            raise ValueError("a failure status is 4xx or 5xx")
        method = method.upper() if method else None
        failure = Failure(count, path, method, status, message, retry_after)
        self._faults.add_failure(failure)

    def hang_next(
        self,
        seconds: float,
        count: int | None = 1,
        *,
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        """Hold the next ``count`` matching requests ``seconds``, then serve them.

        A request whose client gave up meanwhile is still carried out, as a slow
        Dolibarr finishes a create nobody waits for any more."""
        _check_count(count)
        method = method.upper() if method else None
        self._faults.add_hang(Hang(count, path, method, seconds))

    def collide_next_refs(self, count: int = 1) -> None:
        """Fail the next ``count`` core ticket creates on ``uk_ticket_ref``."""
        _check_count(count)
        self._faults.ref_collisions += count

    def clear_faults(self) -> None:
        """Disarm every fault, the delay included."""
        self._faults.clear()

    @property
    def faults(self) -> FaultPlan:
        return self._faults


def _check_count(count: int | None) -> None:
    if count is not None and count < 1:
        raise ValueError("count must be at least 1, or None for always")
