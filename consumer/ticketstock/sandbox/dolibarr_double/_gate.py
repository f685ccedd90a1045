"""What every request to the double's Dolibarr API goes through before its handler.

In Restler's order: count the call, apply the armed faults, decode the JSON body
(Restler's first stage, so a broken body wins over a missing key), then route,
then authenticate. Control paths under ``/_double/`` bypass all of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from ._bodies import (
    BAD_API_KEY,
    BAD_JSON,
    NO_API_KEY,
    NO_API_KEY_TEXT,
    bad_api_key_text,
    error_body,
)
from ._faults import Failure, FaultPlan

API_ROOT: Final = "/api/index.php"
NO_ROUTE: Final = API_ROOT + "/{tail}"
# Restler answers these before authenticating: one has no auth, one has no route.
PUBLIC: Final = frozenset({API_ROOT + "/status", NO_ROUTE})

# The decoded JSON body (None when empty) and the entity DOLAPIENTITY named.
BODY: Final = web.RequestKey("dolibarr_double.body", object)
ENTITY: Final = web.RequestKey("dolibarr_double.entity", int)


def json_response(document: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(document).encode(),
        status=status,
        content_type="application/json",
    )


@dataclass(slots=True)
class Gate:
    """Shared state the middleware reads; the double owns and mutates it."""

    api_key: str
    faults: FaultPlan
    calls: Counter[tuple[str, str]]
    stopping: asyncio.Event

    def middleware(self) -> Middleware:
        @web.middleware
        async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
            if request.path.startswith(API_ROOT + "/"):
                refused = await self._admit(request)
                if refused is not None:
                    return refused
            return await handler(request)

        return gate

    async def _admit(self, request: web.Request) -> web.Response | None:
        template = request.match_info.route.resource
        name = template.canonical if template is not None else NO_ROUTE
        self.calls[(request.method, name)] += 1
        # Like PHP, receive the whole request before anything slow happens, so a
        # hung request is still carried out after its client has gone.
        raw = await request.read()
        refused = await self._apply_faults(request, name)
        if refused is None:
            refused = _decode_body(request, raw)
        if refused is None and name not in PUBLIC:
            refused = self._authenticate(request)
        return refused

    async def _apply_faults(
        self, request: web.Request, name: str
    ) -> web.Response | None:
        decision = self.faults.decide(request.method, request.path, name)
        if decision.delay_s > 0:
            await asyncio.sleep(decision.delay_s)
        if decision.hang_s > 0:
            # Stopping the double releases a hung request instead of waiting it out.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), decision.hang_s)
        if decision.failure is None:
            return None
        return _failure_response(decision.failure)

    def _authenticate(self, request: web.Request) -> web.Response | None:
        key = request.headers.get("DOLAPIKEY") or request.query.get("DOLAPIKEY")
        if not key:
            return json_response(
                error_body(401, NO_API_KEY_TEXT, debug=NO_API_KEY), status=401
            )
        raw_entity = request.headers.get("DOLAPIENTITY", "1").strip()
        if not raw_entity.isdigit() or int(raw_entity) < 1:
            # Stricter than Dolibarr, whose answer was not recorded: a client
            # sending a malformed entity is a bug a test should see.
            text = "DOLAPIENTITY must be a positive integer"
            return json_response(error_body(400, text), status=400)
        entity = int(raw_entity)
        if not hmac.compare_digest(key.encode(), self.api_key.encode()):
            body = error_body(401, bad_api_key_text(entity), debug=BAD_API_KEY)
            return json_response(body, status=401)
        request[ENTITY] = entity
        return None


def _decode_body(request: web.Request, raw: bytes) -> web.Response | None:
    if not raw.strip():
        request[BODY] = None
        return None
    try:
        request[BODY] = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        text = "Error encoding/decoding JSON: Syntax error"
        return json_response(error_body(400, text, debug=BAD_JSON), status=400)
    return None


def _failure_response(failure: Failure) -> web.Response:
    response = json_response(
        error_body(failure.status, failure.message), failure.status
    )
    if failure.retry_after is not None:
        response.headers["Retry-After"] = f"{failure.retry_after:g}"
    return response
