"""The double's database: seeded rows, module settings per entity, and tickets.

Every method runs without awaiting, so on the event loop each one is atomic: two
requests racing on one ``track_id`` are ordered, and the second finds the first's
ticket, which is what the unique key ``uk_ticket_track_id`` gives in Dolibarr.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final

from ._bodies import TICKET_CATEGORIES, TICKET_SEVERITIES, TICKET_TYPES
from ._records import (
    API_USER_ID,
    Contact,
    EntityConfig,
    Group,
    Movement,
    Product,
    Ticket,
    User,
    Warehouse,
)

CONTACT_ROLES: Final = ("CONTRIBUTOR", "SUPPORTTEC")


class DuplicateTrackId(Exception):
    """A ticket with this track id exists already, in whichever entity."""

    def __init__(self, existing: Ticket) -> None:
        super().__init__(existing.track_id)
        self.existing = existing


@dataclass(frozen=True, slots=True)
class TicketDraft:
    """What a create call asks for, before the ticket has an id and a ref."""

    entity: int
    track_id: str
    subject: str
    message: str
    type_code: str | None
    severity_code: str | None
    category_code: str | None
    fk_user_assign: int | None
    source: str
    contact_ids: tuple[int, ...] = ()
    contact_role: str = "CONTRIBUTOR"
    movement_id: int | None = None


class Store:
    """Rows by id, plus the counters Dolibarr's auto-increments and numbering keep."""

    def __init__(self) -> None:
        self.clear_all()

    def clear_all(self) -> None:
        self.users: dict[int, User] = {}
        self.groups: dict[int, Group] = {}
        self.warehouses: dict[int, Warehouse] = {}
        self.products: dict[int, Product] = {}
        self.movements: dict[int, Movement] = {}
        self.configs: dict[int, EntityConfig] = {}
        # User 1 is the API user itself, as in the recorded instance.
        self._last_id = {"user": API_USER_ID, "group": 0, "warehouse": 0}
        self._last_id |= {"product": 0, "movement": 0}
        self.clear_tickets()

    def clear_tickets(self) -> None:
        self.tickets: dict[int, Ticket] = {}
        self._by_track_id: dict[str, Ticket] = {}
        self._ref_counters: dict[int, int] = {}
        self._last_ticket_id = 0
        self._last_contact_row = 0
        self._last_agenda_id = 0

    def allocate(self, table: str, requested: int | None) -> int:
        """The next auto-increment id, or ``requested`` after checking it is free."""
        rows: dict[int, object] = getattr(self, table + "s")
        last = self._last_id[table]
        if requested is None:
            requested = last + 1
        if requested < 1 or requested in rows:
            raise ValueError(f"{table} id {requested} is taken or not positive")
        self._last_id[table] = max(last, requested)
        return requested

    def check_config(self, config: EntityConfig) -> None:
        """Refuse settings the module's setup page could not have saved."""
        for warehouse_id in config.warehouse_ids:
            _require(warehouse_id in self.warehouses, f"no warehouse {warehouse_id}")
        if config.assignee_id is not None:
            _require(config.assignee_id in self.users, "no such assignee user")
        if config.group_id is not None:
            _require(config.group_id in self.groups, "no such group")
        _require(config.type_code in TICKET_TYPES, "unknown ticket type code")
        _require(config.severity_code in TICKET_SEVERITIES, "unknown severity code")
        _require(config.category_code in TICKET_CATEGORIES, "unknown category code")
        _require(config.contact_role in CONTACT_ROLES, "unknown contact role")

    def ticket_by_track_id(self, track_id: str) -> Ticket | None:
        return self._by_track_id.get(track_id)

    def create_ticket(self, draft: TicketDraft, now: float) -> Ticket:
        """Insert a ticket with the entity's next ref; the module's keys replaced."""
        existing = self._by_track_id.get(draft.track_id)
        if existing is not None:
            raise DuplicateTrackId(existing)

        ticket_id = self._last_ticket_id + 1
        counter = self._ref_counters.get(draft.entity, 0) + 1
        ref = format_ref(now, counter)
        subject, message = draft.subject, draft.message
        if draft.source == "module":
            subject = substitute(subject, ref, ticket_id)
            message = substitute(message, ref, ticket_id)
        ticket = Ticket(
            id=ticket_id,
            entity=draft.entity,
            ref=ref,
            track_id=draft.track_id,
            subject=subject,
            message=message,
            type_code=draft.type_code,
            severity_code=draft.severity_code,
            category_code=draft.category_code,
            fk_user_assign=draft.fk_user_assign,
            contacts=self._contacts(draft),
            datec=int(now),
            source=draft.source,
            agenda_id=self._next_agenda_id(),
            movement_id=draft.movement_id,
            origin=self._origin(draft.movement_id),
        )

        self._last_ticket_id = ticket_id
        self._ref_counters[draft.entity] = counter
        self.tickets[ticket_id] = ticket
        self._by_track_id[ticket.track_id] = ticket
        return ticket

    def last_ref(self, entity: int, now: float) -> str:
        """The ref a concurrent create would have taken just before this one."""
        return format_ref(now, max(self._ref_counters.get(entity, 0), 1))

    def _contacts(self, draft: TicketDraft) -> tuple[Contact, ...]:
        wanted: list[tuple[int, str]] = []
        if draft.fk_user_assign is not None:
            wanted.append((draft.fk_user_assign, "SUPPORTTEC"))
        wanted.extend((user_id, draft.contact_role) for user_id in draft.contact_ids)
        contacts = []
        # A user already linked with the same role is not linked twice.
        for user_id, role in dict.fromkeys(wanted):
            self._last_contact_row += 1
            contacts.append(Contact(user_id, role, self._last_contact_row))
        return tuple(contacts)

    def _origin(self, movement_id: int | None) -> tuple[str, int] | None:
        movement = self.movements.get(movement_id or 0)
        if movement is None or not movement.origin_type or not movement.origin_id:
            return None
        return (movement.origin_type, movement.origin_id)

    def _next_agenda_id(self) -> int:
        self._last_agenda_id += 1
        return self._last_agenda_id


def format_ref(now: float, counter: int) -> str:
    """Dolibarr's default ticket numbering: TS, year and month, then a counter."""
    return f"TS{time.strftime('%y%m', time.gmtime(now))}-{counter:04d}"


def substitute(text: str, ref: str, ticket_id: int) -> str:
    """Replace the keys that only exist once the ticket does."""
    for key, value in (("__REF__", ref), ("__TICKET_REF__", ref)):
        text = text.replace(key, value)
    return text.replace("__ID__", str(ticket_id))


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise ValueError(reason)
