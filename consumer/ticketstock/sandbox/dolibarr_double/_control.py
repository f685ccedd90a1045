"""The double's own HTTP API under ``/_double/``, for tests in another process.

These paths need no API key, are never counted and never see a fault, so a test
can always read the state or disarm what it armed. Errors answer 400 with
``{"error": "<reason>"}``, deliberately unlike Dolibarr's shape.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web

from ._gate import json_response
from ._records import Ticket

if TYPE_CHECKING:
    from ._server import DolibarrDouble

PREFIX: Final = "/_double"

# Applied in this order, so one seed call can reference what it creates.
_SEEDERS: Final = (
    ("users", "add_user"),
    ("groups", "add_group"),
    ("warehouses", "add_warehouse"),
    ("products", "add_product"),
    ("movements", "add_movement"),
    ("movement_ranges", "add_movements"),
    ("remove_movements", "remove_movement"),
    ("configs", "configure"),
)
_SEED_KEYS: Final = frozenset({"demo", *(key for key, _ in _SEEDERS)})
_FAULT_KEYS: Final = frozenset({"clear", "delay_ms", "fail", "hang", "ref_collisions"})


class ControlError(ValueError):
    """A control request the double cannot apply."""


def control_routes(double: DolibarrDouble) -> list[web.RouteDef]:
    async def state(request: web.Request) -> web.Response:
        with_tickets = request.query.get("tickets", "1") != "0"
        return json_response(state_document(double, with_tickets=with_tickets))

    async def seed(request: web.Request) -> web.Response:
        return await _apply(request, lambda body: apply_seed(double, body))

    async def faults(request: web.Request) -> web.Response:
        return await _apply(request, lambda body: apply_faults(double, body))

    async def reset(request: web.Request) -> web.Response:
        def run(body: dict[str, Any]) -> dict[str, Any]:
            double.reset(str(body.get("scope", "run")))
            return state_document(double)

        return await _apply(request, run)

    return [
        web.get(PREFIX + "/state", state),
        web.post(PREFIX + "/seed", seed),
        web.post(PREFIX + "/faults", faults),
        web.post(PREFIX + "/reset", reset),
    ]


async def _apply(request: web.Request, action: Any) -> web.Response:
    raw = await request.read()
    try:
        body = json.loads(raw) if raw.strip() else {}
        if not isinstance(body, dict):
            raise ControlError("the body must be a JSON object")
        return json_response(action(body))
    except (ValueError, TypeError, KeyError) as exc:
        return json_response({"error": f"{type(exc).__name__}: {exc}"}, status=400)


def apply_seed(double: DolibarrDouble, body: dict[str, Any]) -> dict[str, Any]:
    """Create what ``body`` lists; earlier items stay if a later one fails."""
    _refuse_unknown(body, _SEED_KEYS)
    answer: dict[str, Any] = {}
    if body.get("demo"):
        demo = double.seed_demo()
        answer["demo"] = asdict(demo) | {
            "warehouse": demo.warehouse,
            "product": demo.product,
        }
    for key, method_name in _SEEDERS:
        method = getattr(double, method_name)
        results = []
        for item in body.get(key, ()):
            result = method(item) if key == "remove_movements" else method(**item)
            results.append(
                [result[0], result[-1]] if isinstance(result, range) else result
            )
        if key in body:
            answer[key] = results
    return answer


def apply_faults(double: DolibarrDouble, body: dict[str, Any]) -> dict[str, Any]:
    """Arm the faults ``body`` describes, after clearing all when it says so."""
    _refuse_unknown(body, _FAULT_KEYS)
    if body.get("clear"):
        double.clear_faults()
    if "delay_ms" in body:
        double.set_delay(float(body["delay_ms"]))
    for failure in _as_list(body.get("fail")):
        double.fail_next(**failure)
    for hang in _as_list(body.get("hang")):
        double.hang_next(**hang)
    if body.get("ref_collisions"):
        double.collide_next_refs(int(body["ref_collisions"]))
    return double.faults.describe()


def state_document(
    double: DolibarrDouble, *, with_tickets: bool = True
) -> dict[str, Any]:
    """Tickets (left out on request: a benchmark's are many), counts and faults."""
    calls = double.calls
    tickets = double.tickets
    return {
        "ticket_count": len(tickets),
        "tickets": [ticket_record(ticket) for ticket in tickets]
        if with_tickets
        else [],
        "calls": {f"{method} {path}": count for (method, path), count in calls.items()},
        "faults": double.faults.describe(),
    }


def ticket_record(ticket: Ticket) -> dict[str, Any]:
    """A ticket as the double stored it, with ints as ints."""
    record = asdict(ticket)
    record["contacts"] = [
        {"user_id": contact.user_id, "role": contact.role}
        for contact in ticket.contacts
    ]
    record["contact_ids"] = list(ticket.contact_ids)
    origin = ticket.origin
    record["origin"] = None if origin is None else {"type": origin[0], "id": origin[1]}
    return record


def _as_list(value: object) -> list[dict[str, Any]]:
    if value is None:
        return []
    items: list[object] = value if isinstance(value, list) else [value]
    faults = [item for item in items if isinstance(item, dict)]
    if len(faults) != len(items):
        raise ControlError("each fault is a JSON object")
    return faults


def _refuse_unknown(body: dict[str, Any], known: frozenset[str]) -> None:
    unknown = sorted(set(body) - known)
    if unknown:
        raise ControlError(f"unknown keys {unknown}; expected some of {sorted(known)}")
