"""Dolibarr's REST API as the ticket consumer uses it: the TicketStock module's endpoints.

:class:`DolibarrClient` is the one seam where httpx and HTTP statuses become this
package's errors. Transient failures (connection errors, timeouts, 429, 5xx) are
retried a few times in process with jittered backoff before they surface as
:class:`DolibarrUnavailable`; the caller's retry tiers take over from there.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Protocol

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from . import __version__, contract
from .errors import (
    ConfigurationMissing,
    DolibarrAuthError,
    DolibarrRejected,
    DolibarrUnavailable,
    InvalidMessage,
    MovementNotFound,
)
from .metrics import Metrics
from .models import ModuleConfig, TicketCreated, TicketCreateRequest
from .settings import Settings

log = logging.getLogger(__name__)


class DolibarrPort(Protocol):
    """What the ticket consumer needs from Dolibarr."""

    async def fetch_config(self, entity: int) -> ModuleConfig: ...

    async def create_ticket(
        self, entity: int, request: TicketCreateRequest
    ) -> TicketCreated: ...


class DolibarrClient:
    """HTTP client of one Dolibarr, with a cap on concurrent calls."""

    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if settings.dolibarr_api_key is None:
            raise ValueError("a Dolibarr API key is required")
        self._attempts = settings.dolibarr_attempts
        self._metrics = metrics
        self._limit = asyncio.Semaphore(settings.dolibarr_max_concurrency)
        self._http = httpx.AsyncClient(
            base_url=settings.dolibarr_api_base,
            headers={
                "DOLAPIKEY": settings.dolibarr_api_key.get_secret_value(),
                "Accept": "application/json",
                "User-Agent": f"ticketstock/{__version__}",
            },
            timeout=settings.dolibarr_timeout,
            limits=httpx.Limits(
                max_connections=settings.dolibarr_max_concurrency,
                max_keepalive_connections=settings.dolibarr_max_concurrency,
            ),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def fetch_config(self, entity: int) -> ModuleConfig:
        """The entity's TicketStock configuration."""
        body = await self._call("GET", "/ticketstock/config", entity, endpoint="config")
        _check_answer(contract.MODULE_CONFIG, body)
        return ModuleConfig.model_validate(body)

    async def create_ticket(
        self, entity: int, request: TicketCreateRequest
    ) -> TicketCreated:
        """Create the ticket, or get the one that already has this track id."""
        payload = request.model_dump(mode="json")
        body = await self._call(
            "POST", "/ticketstock/tickets", entity, endpoint="create", json_body=payload
        )
        _check_answer(contract.TICKET_CREATE_RESPONSE, body)
        return TicketCreated.model_validate(body)

    async def status(self) -> dict[str, Any]:
        """Dolibarr's ``/status`` answer (used by ``ticketstock check``)."""
        answer = await self._call("GET", "/status", None, endpoint="status")
        return answer if isinstance(answer, dict) else {"answer": answer}

    async def _call(
        self,
        method: str,
        path: str,
        entity: int | None,
        *,
        endpoint: str,
        json_body: Any = None,
    ) -> Any:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=_wait_for_dolibarr,
            retry=retry_if_exception_type(DolibarrUnavailable),
            reraise=True,
            before_sleep=_log_retry(endpoint, self._attempts),
        )
        async for attempt in retrying:
            with attempt:
                return await self._once(method, path, entity, endpoint, json_body)
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    async def _once(
        self, method: str, path: str, entity: int | None, endpoint: str, json_body: Any
    ) -> Any:
        headers = {"DOLAPIENTITY": str(entity)} if entity is not None else {}
        started = time.monotonic()
        status = "error"
        try:
            async with self._limit:
                response = await self._http.request(
                    method, path, headers=headers, json=json_body
                )
            status = str(response.status_code)
        except httpx.TimeoutException as exc:
            status = "timeout"
            raise DolibarrUnavailable(f"Dolibarr {endpoint} timed out") from exc
        except httpx.TransportError as exc:
            raise DolibarrUnavailable(
                f"Dolibarr {endpoint} unreachable: {type(exc).__name__}"
            ) from exc
        finally:
            self._metrics.dolibarr_latency.labels(endpoint, status).observe(
                time.monotonic() - started
            )
        return _interpret(response, endpoint, entity)


def _interpret(response: httpx.Response, endpoint: str, entity: int | None) -> Any:
    """The JSON body of a success, or the error this status means."""
    code = response.status_code
    if 200 <= code < 300:
        try:
            return response.json()
        except (RecursionError, ValueError) as exc:  # JSONDecodeError is a ValueError
            raise DolibarrUnavailable(
                f"Dolibarr {endpoint} answered {code} with a body that is not JSON",
                http_status=code,
            ) from exc
    reason = f"Dolibarr {endpoint} answered {code}: {_error_message(response)}"
    if code in (408, 429) or code >= 500:
        raise DolibarrUnavailable(
            reason, http_status=code, retry_after=_retry_after(response)
        )
    if code in (401, 403):
        log.error(
            "dolibarr refused credentials endpoint=%s status=%d entity=%s: check the API"
            " key, its user's TicketStock rights and DOLAPIENTITY",
            endpoint,
            code,
            entity,
            extra={"endpoint": endpoint, "status": code, "entity": entity},
        )
        raise DolibarrAuthError(reason, http_status=code)
    if code == 404 and endpoint == "create" and "movement" in reason.lower():
        raise MovementNotFound(reason, http_status=code)
    if code == 404 and endpoint == "config":
        raise ConfigurationMissing(
            f"{reason} (is the TicketStock module enabled in entity {entity}?)",
            http_status=code,
        )
    raise DolibarrRejected(reason, http_status=code)


def _error_message(response: httpx.Response) -> str:
    """Dolibarr's ``error.message``, or the start of the body when it has none."""
    try:
        error = response.json().get("error", {})
        message = error.get("message") if isinstance(error, dict) else None
    except (RecursionError, ValueError, AttributeError):
        message = None
    return str(message) if message else response.text[:200] or "(empty body)"


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds; None otherwise."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _check_answer(name: str, body: Any) -> None:
    try:
        contract.validate(name, body)
    except InvalidMessage as exc:
        # Our own module answered something the contract forbids: a version mismatch.
        raise DolibarrRejected(
            f"Dolibarr answer breaks the contract: {exc.reason}", http_status=200
        ) from exc


_BACKOFF = wait_exponential(multiplier=0.2, max=2.0) + wait_random(0, 0.3)
MAX_RETRY_AFTER_S = 10.0


def _wait_for_dolibarr(state: RetryCallState) -> float:
    """Jittered backoff, or Dolibarr's ``Retry-After`` when it asks for longer.

    A longer ``Retry-After`` than :data:`MAX_RETRY_AFTER_S` is cut to it: past that
    the message waits in a retry tier instead of holding a worker.
    """
    backoff = float(_BACKOFF(state))
    error = state.outcome.exception() if state.outcome else None
    asked = getattr(error, "retry_after", None)
    return max(backoff, min(asked, MAX_RETRY_AFTER_S)) if asked else backoff


def _log_retry(endpoint: str, limit: int) -> Any:
    def before_sleep(state: Any) -> None:
        error = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "dolibarr retry endpoint=%s attempt=%d limit=%d delay_s=%.2f reason=%s",
            endpoint,
            state.attempt_number,
            limit,
            delay,
            getattr(error, "reason", type(error).__name__),
            extra={"endpoint": endpoint, "attempt": state.attempt_number},
        )

    return before_sleep
