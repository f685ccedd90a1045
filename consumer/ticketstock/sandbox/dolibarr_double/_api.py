"""Handlers of the Dolibarr REST paths the double serves, under ``/api/index.php``.

The module's two endpoints answer as ``schemas/README.md`` specifies; the core
ticket and stock movement paths answer as the recorded samples do.
"""

from __future__ import annotations

import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar, cast

from aiohttp import web

from ticketstock.contract import TICKET_CREATE_REQUEST, validate, validator
from ticketstock.errors import InvalidMessage

from . import _sqlfilters
from ._bodies import (
    NO_ROUTE as NO_ROUTE_DEBUG,
)
from ._bodies import (
    TICKET_FIELD_MISSING,
    TICKET_NOT_CREATED,
    TICKET_NOT_FOUND,
    error_body,
    status_body,
)
from ._config import config_document
from ._faults import FaultPlan
from ._gate import API_ROOT, BODY, ENTITY, json_response
from ._reads import movement_read, ticket_read
from ._records import Movement, Ticket
from ._store import DuplicateTrackId, Store, TicketDraft

_Row = TypeVar("_Row")

_TRACK_ID_ALPHABET: Final = string.ascii_lowercase + string.digits

_TICKET_COLUMNS: Final[dict[str, Callable[[Ticket], object]]] = {
    "rowid": lambda t: t.id,
    "entity": lambda t: t.entity,
    "ref": lambda t: t.ref,
    "track_id": lambda t: t.track_id,
    "subject": lambda t: t.subject,
    "fk_user_assign": lambda t: t.fk_user_assign,
    "fk_statut": lambda t: 0,
    "type_code": lambda t: t.type_code,
    "severity_code": lambda t: t.severity_code,
    "category_code": lambda t: t.category_code,
}
_MOVEMENT_COLUMNS: Final[dict[str, Callable[[Movement], object]]] = {
    "rowid": lambda m: m.id,
    "fk_product": lambda m: m.product_id,
    "fk_entrepot": lambda m: m.warehouse_id,
    "type_mouvement": lambda m: m.type,
    "fk_origin": lambda m: m.origin_id or 0,
    "origintype": lambda m: m.origin_type or "",
    "batch": lambda m: m.batch,
    "label": lambda m: m.label,
}


@dataclass(slots=True)
class DolibarrApi:
    """The handlers, bound to the double's store, faults and public settings."""

    store: Store
    faults: FaultPlan
    module_version: str
    ticket_url_base: Callable[[], str]

    def routes(self) -> list[web.RouteDef]:
        root = API_ROOT
        return [
            web.get(root + "/status", self.status),
            web.get(root + "/ticketstock/config", self.module_config),
            web.post(root + "/ticketstock/tickets", self.module_create),
            web.get(root + "/tickets", self.ticket_list),
            web.post(root + "/tickets", self.core_create),
            web.get(root + r"/tickets/{id:\d+}", self.ticket_by_id),
            web.get(root + "/tickets/track_id/{track_id}", self.ticket_by_track_id),
            web.get(root + "/stockmovements", self.movement_list),
            web.get(root + r"/stockmovements/{id:\d+}", self.movement_by_id),
            web.route("*", root + "/{tail:.*}", self.no_route),
        ]

    async def status(self, request: web.Request) -> web.Response:
        return json_response(status_body(time.time()))

    async def no_route(self, request: web.Request) -> web.Response:
        return json_response(error_body(404, debug=NO_ROUTE_DEBUG), status=404)

    async def module_config(self, request: web.Request) -> web.Response:
        document = config_document(
            self.store,
            request[ENTITY],
            ticket_url_base=self.ticket_url_base(),
            module_version=self.module_version,
        )
        return json_response(document)

    async def module_create(self, request: web.Request) -> web.Response:
        refused = _refuse_request(request[BODY])
        if refused is not None:
            return refused
        # The schema has just proven the body is an object with these fields.
        body = cast(dict[str, Any], request[BODY])
        movement_id: int = body["movement_id"]
        if movement_id not in self.store.movements:
            text = f"Stock movement {movement_id} not found"
            return json_response(error_body(404, text), status=404)

        entity = request[ENTITY]
        config = self.store.configs.get(entity)
        role = config.contact_role if config is not None else "CONTRIBUTOR"
        draft = _module_draft(entity, body, role)
        try:
            ticket, created = self.store.create_ticket(draft, time.time()), True
        except DuplicateTrackId as duplicate:
            ticket, created = duplicate.existing, False
        return json_response(_module_answer(ticket, created))

    async def core_create(self, request: web.Request) -> web.Response:
        body = request[BODY]
        fields: dict[str, Any] = body if isinstance(body, dict) else {}
        for name in ("subject", "message"):
            if fields.get(name) is None:
                missing = error_body(
                    400, f"{name} field missing", debug=TICKET_FIELD_MISSING
                )
                return json_response(missing, status=400)

        draft = _core_draft(request[ENTITY], fields)
        existing = self.store.ticket_by_track_id(draft.track_id)
        if existing is not None:
            return _not_created(draft.track_id, "uk_ticket_track_id")
        now = time.time()
        if self.faults.take_ref_collision():
            entry = f"{self.store.last_ref(draft.entity, now)}-{draft.entity}"
            return _not_created(entry, "uk_ticket_ref")
        ticket = self.store.create_ticket(draft, now)
        return json_response(ticket.id)

    async def ticket_by_id(self, request: web.Request) -> web.Response:
        ticket = self.store.tickets.get(int(request.match_info["id"]))
        return self._ticket_answer(request, ticket)

    async def ticket_by_track_id(self, request: web.Request) -> web.Response:
        ticket = self.store.ticket_by_track_id(request.match_info["track_id"])
        return self._ticket_answer(request, ticket)

    def _ticket_answer(
        self, request: web.Request, ticket: Ticket | None
    ) -> web.Response:
        if ticket is None:
            missing = error_body(404, "Ticket not found", debug=TICKET_NOT_FOUND)
            return json_response(missing, status=404)
        contact_list = 0 if request.query.get("contact_list") == "0" else 1
        read = ticket_read(ticket, self.store.users, contact_list=contact_list)
        return json_response(read)

    async def ticket_list(self, request: web.Request) -> web.Response:
        entity = request[ENTITY]
        rows = [t for t in self.store.tickets.values() if t.entity == entity]
        page = _page(request, rows, _TICKET_COLUMNS)
        if isinstance(page, web.Response):
            return page
        users = self.store.users
        return json_response([ticket_read(t, users, contact_list=None) for t in page])

    async def movement_by_id(self, request: web.Request) -> web.Response:
        movement = self.store.movements.get(int(request.match_info["id"]))
        if movement is None:
            missing = error_body(404, "Stock movement not found")
            return json_response(missing, status=404)
        return json_response(movement_read(movement))

    async def movement_list(self, request: web.Request) -> web.Response:
        rows = list(self.store.movements.values())
        page = _page(request, rows, _MOVEMENT_COLUMNS)
        if isinstance(page, web.Response):
            return page
        return json_response([movement_read(movement) for movement in page])


def _refuse_request(body: object) -> web.Response | None:
    """400 with the schema's reason, or None for a valid body.

    ``is_valid`` is the cheap path a benchmark takes thousands of times a second;
    only a broken body pays for finding the most relevant error.
    """
    if validator(TICKET_CREATE_REQUEST).is_valid(body):
        return None
    try:
        validate(TICKET_CREATE_REQUEST, body)
    except InvalidMessage as exc:
        return json_response(error_body(400, exc.reason), status=400)
    return None


def _module_draft(entity: int, body: dict[str, Any], role: str) -> TicketDraft:
    return TicketDraft(
        entity=entity,
        track_id=body["track_id"],
        subject=body["subject"],
        message=body["message"],
        type_code=body["type_code"],
        severity_code=body["severity_code"],
        category_code=body["category_code"],
        fk_user_assign=body["fk_user_assign"],
        source="module",
        contact_ids=tuple(body["contact_ids"]),
        contact_role=role,
        movement_id=body["movement_id"],
    )


def _module_answer(ticket: Ticket, created: bool) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "ref": ticket.ref,
        "track_id": ticket.track_id,
        "created": created,
        "entity": ticket.entity,
        "subject": ticket.subject,
        "message": ticket.message,
        "fk_user_assign": ticket.fk_user_assign,
        "contact_ids": list(ticket.contact_ids),
    }


def _core_draft(entity: int, fields: dict[str, Any]) -> TicketDraft:
    """Dolibarr keeps a caller's track id, or draws 16 random lowercase characters."""
    track_id = fields.get("track_id") or "".join(
        secrets.choice(_TRACK_ID_ALPHABET) for _ in range(16)
    )
    return TicketDraft(
        entity=entity,
        track_id=str(track_id),
        subject=str(fields["subject"]),
        message=str(fields["message"]),
        type_code=_text_or_none(fields.get("type_code")),
        severity_code=_text_or_none(fields.get("severity_code")),
        category_code=_text_or_none(fields.get("category_code")),
        fk_user_assign=_id_or_none(fields.get("fk_user_assign")),
        source="core",
    )


def _not_created(entry: str, key: str) -> web.Response:
    detail = f"Error Duplicate entry '{entry}' for key '{key}'"
    body = error_body(
        500,
        "Error creating ticket",
        details=(detail, detail),
        debug=TICKET_NOT_CREATED,
    )
    return json_response(body, status=500)


def _page(
    request: web.Request,
    rows: list[_Row],
    columns: dict[str, Callable[[_Row], object]],
) -> list[_Row] | web.Response:
    """Filter, sort and cut a list the way the list endpoints' parameters ask."""
    query = request.query
    try:
        limit = int(query.get("limit", "100"))
        page = int(query.get("page", "0"))
        clauses = _sqlfilters.parse(query.get("sqlfilters", ""), columns)
    except ValueError as exc:
        return json_response(error_body(400, str(exc)), status=400)

    if clauses:
        rows = list(filter(_sqlfilters.matcher(clauses, columns), rows))
    column = columns.get(query.get("sortfield", "t.rowid").removeprefix("t."))
    key = column or columns["rowid"]
    descending = query.get("sortorder", "ASC").upper() == "DESC"
    rows.sort(key=lambda row: _sort_key(key(row)), reverse=descending)
    if limit <= 0:
        return rows
    return rows[page * limit : (page + 1) * limit]


def _sort_key(value: object) -> tuple[bool, str | float]:
    if value is None:
        return (True, "")
    if isinstance(value, int | float):
        return (False, float(value))
    return (False, str(value))


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _id_or_none(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    return None
