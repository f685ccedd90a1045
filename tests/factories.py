"""Builders of valid documents for tests: each returns a fresh dict to adjust."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any


def event(
    movement_id: int = 12,
    *,
    entity: int = 1,
    warehouse_id: int = 2,
    qty: float = 5,
    type_: int = 3,
    instance_id: str = "test-instance",
    **movement: Any,
) -> dict[str, Any]:
    now = datetime(2026, 12, 4, 15, 29, 28, tzinfo=UTC).isoformat()
    body: dict[str, Any] = {
        "id": movement_id,
        "type": type_,
        "qty": qty,
        "product": {"id": 6, "ref": "RET-LOT", "label": "Returned chair"},
        "warehouse": {"id": warehouse_id, "ref": "WH-RET-A"},
        "batch": None,
        "label": "Customer return",
        "inventory_code": None,
        "origin": {
            "type": "shipping",
            "id": 4,
            "line_id": None,
            "origin_line_id": None,
        },
        "project_id": None,
        "user": {"id": 1, "login": "admin"},
        "date": now,
    }
    body.update(movement)
    return {
        "event_id": str(uuid.uuid4()),
        "schema_version": 1,
        "occurred_at": now,
        "instance_id": instance_id,
        "entity": entity,
        "movement": body,
    }


def user(uid: int, name: str, email: str | None) -> dict[str, Any]:
    return {"id": uid, "login": name.lower().split()[0], "name": name, "email": email}


def module_config(**changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "schema_version": 1,
        "entity": 1,
        "module_version": "1.0.0",
        "enabled": True,
        "warehouses": [{"id": 2, "ref": "WH-RET-A", "label": "Returns A"}],
        "assignee": user(5, "Alice Tech", "alice@example.com"),
        "group": {"id": 3, "name": "Returns team"},
        "contacts": [
            user(6, "Bob Store", "bob@example.com"),
            user(7, "Carol NoMail", None),
            user(8, "Dan Bad", "not-an-address"),
            user(9, "Alice Again", "ALICE@example.com"),
        ],
        "contact_role": "CONTRIBUTOR",
        "ticket": {
            "type": {"code": "ISSUE", "label": "Issue or bug"},
            "severity": {"code": "HIGH", "label": "High"},
            "category": {"code": "OTHER", "label": "Other"},
            "subject": "Return of __TICKETSTOCK_PRODUCT_REF__ x__TICKETSTOCK_QTY__",
            "content": "Returned into __TICKETSTOCK_WAREHOUSE_LABEL__ by __TICKETSTOCK_USER__.",
        },
        "ticket_url_base": "https://erp.example.com/ticket/card.php",
        "language": "en_US",
        "company_name": "Example Returns Ltd",
    }
    config.update(changes)
    return config
