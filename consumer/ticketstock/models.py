"""Typed views of the messages and endpoint answers, after schema validation.

The JSON Schemas in ``schemas/`` decide what is valid; these models only give the
valid documents names and types. Ids that Dolibarr may send as strings are coerced.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Product(_Frozen):
    id: int
    ref: str
    label: str | None


class Warehouse(_Frozen):
    id: int
    ref: str


class Origin(_Frozen):
    type: str
    id: int
    line_id: int | None
    origin_line_id: int | None


class MovementUser(_Frozen):
    id: int
    login: str


class Movement(_Frozen):
    id: int
    type: Literal[0, 1, 2, 3]
    qty: Decimal
    product: Product
    warehouse: Warehouse
    batch: str | None
    label: str | None
    inventory_code: str | None
    origin: Origin | None
    project_id: int | None
    user: MovementUser
    date: datetime

    @property
    def is_increase(self) -> bool:
        """An input (type 0 or 3) of a positive quantity."""
        return self.type in (0, 3) and self.qty > 0


class StockMovementEvent(_Frozen):
    event_id: UUID
    schema_version: Literal[1]
    occurred_at: datetime
    instance_id: str
    entity: int
    movement: Movement


class Coded(_Frozen):
    code: str
    label: str


class ConfigWarehouse(_Frozen):
    id: int
    ref: str
    label: str | None


class ConfigUser(_Frozen):
    id: int
    login: str
    name: str
    email: str | None


class ConfigGroup(_Frozen):
    id: int
    name: str


class TicketTemplate(_Frozen):
    type: Coded
    severity: Coded
    category: Coded
    subject: str
    content: str


class ModuleConfig(_Frozen):
    schema_version: Literal[1]
    entity: int
    module_version: str
    enabled: bool
    warehouses: tuple[ConfigWarehouse, ...]
    assignee: ConfigUser | None
    group: ConfigGroup | None
    contacts: tuple[ConfigUser, ...]
    contact_role: Literal["CONTRIBUTOR", "SUPPORTTEC"]
    ticket: TicketTemplate
    ticket_url_base: str
    language: str
    company_name: str

    def watched(self, warehouse_id: int) -> ConfigWarehouse | None:
        """The watched warehouse with this id, or None."""
        return next((w for w in self.warehouses if w.id == warehouse_id), None)


class TicketCreateRequest(_Frozen):
    track_id: str
    movement_id: int
    subject: str
    message: str
    type_code: str
    severity_code: str
    category_code: str
    fk_user_assign: int | None
    contact_ids: tuple[int, ...]


class TicketCreated(_Frozen):
    id: int
    ref: str
    track_id: str
    created: bool
    entity: int
    subject: str
    message: str
    fk_user_assign: int | None
    contact_ids: tuple[int, ...]


class Recipient(_Frozen):
    user_id: int
    name: str
    email: str
    role: Literal["assignee", "contact"]


class MailTicket(_Frozen):
    id: int
    ref: str
    url: str
    subject: str
    content: str
    type: Coded
    severity: Coded
    category: Coded


class MailMovement(_Frozen):
    id: int
    qty: float
    product_ref: str
    product_label: str | None
    warehouse_ref: str
    warehouse_label: str | None


class MailJob(_Frozen):
    job_id: UUID
    schema_version: Literal[1] = 1
    created_at: datetime
    event_id: UUID
    instance_id: str
    entity: int
    language: str
    recipient: Recipient
    ticket: MailTicket
    movement: MailMovement = Field(...)
