"""The rows the double keeps in memory, one frozen dataclass per Dolibarr table."""

from __future__ import annotations

from dataclasses import dataclass

# Dolibarr's own API user: tickets name it as creator, as the recorded reads do.
API_USER_ID = 1
API_USER_NAME = "SuperAdmin"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    login: str
    firstname: str
    lastname: str
    email: str | None
    active: bool
    entity: int

    @property
    def full_name(self) -> str:
        """Firstname then lastname, as Dolibarr's ``getFullName`` writes it."""
        return " ".join(part for part in (self.firstname, self.lastname) if part)


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    name: str
    member_ids: tuple[int, ...]
    entity: int


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: int
    ref: str
    label: str | None
    entity: int


@dataclass(frozen=True, slots=True)
class Product:
    id: int
    ref: str
    label: str


@dataclass(frozen=True, slots=True)
class Movement:
    """A committed stock movement; the table has no entity column."""

    id: int
    product_id: int
    warehouse_id: int
    qty: float
    type: int
    origin_type: str | None
    origin_id: int | None
    label: str
    batch: str
    datem: int


@dataclass(frozen=True, slots=True)
class EntityConfig:
    """What the module's setup page stored for one entity."""

    entity: int
    enabled: bool
    warehouse_ids: tuple[int, ...]
    assignee_id: int | None
    group_id: int | None
    type_code: str
    severity_code: str
    category_code: str
    subject: str
    content: str
    contact_role: str
    language: str
    company_name: str
    ids_as_strings: bool


@dataclass(frozen=True, slots=True)
class Contact:
    """One internal contact of a ticket: a user and its contact type code."""

    user_id: int
    role: str
    row_id: int


@dataclass(frozen=True, slots=True)
class Ticket:
    """A ticket as stored, with what the double saw of its creation.

    ``source`` is ``"module"`` for ``POST /ticketstock/tickets`` and ``"core"`` for
    Dolibarr's own ``POST /tickets``; ``movement_id`` and ``origin`` are only set by
    the module, which links the ticket to the movement's origin document.
    ``agenda_id`` numbers the "Ticket ... created" line a read lists in ``messages``.
    """

    id: int
    entity: int
    ref: str
    track_id: str
    subject: str
    message: str
    type_code: str | None
    severity_code: str | None
    category_code: str | None
    fk_user_assign: int | None
    contacts: tuple[Contact, ...]
    datec: int
    source: str
    agenda_id: int
    movement_id: int | None = None
    origin: tuple[str, int] | None = None

    @property
    def contact_ids(self) -> tuple[int, ...]:
        """The users linked to the ticket, whatever their role, first link first."""
        return tuple(dict.fromkeys(contact.user_id for contact in self.contacts))
