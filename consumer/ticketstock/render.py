"""Ticket subject and content: Dolibarr's substitution keys filled from one event.

The keys and their meaning are listed in ``schemas/README.md``; the module's setup
page shows the same list. ``__REF__``, ``__TICKET_REF__`` and ``__ID__`` are left
for the create endpoint, which is the first to know them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from decimal import Decimal

from .models import ConfigWarehouse, ModuleConfig, StockMovementEvent

_KEY = re.compile(r"__[A-Z][A-Z0-9_]*?__")


def track_id(secret: bytes, instance_id: str, entity: int, movement_id: int) -> str:
    """The ticket's track id: the same for the same movement, unguessable without the secret.

    Dolibarr's public ticket page takes a track id as its only credential, so it must
    not be derivable from the movement's id alone.
    """
    message = f"{instance_id}\x1f{entity}\x1f{movement_id}".encode()
    return "ts" + hmac.new(secret, message, hashlib.sha256).hexdigest()[:40]


def ticket_url(config: ModuleConfig, track: str) -> str:
    return f"{config.ticket_url_base}?track_id={track}"


def format_qty(qty: Decimal) -> str:
    """A quantity without trailing zeros: 5, 2.5, -0.125."""
    text = format(qty.normalize(), "f")
    return "0" if text in ("-0", "") else text


def substitutions(
    event: StockMovementEvent,
    config: ModuleConfig,
    warehouse: ConfigWarehouse,
    track: str,
) -> dict[str, str]:
    """Every key this side knows, for one event."""
    movement = event.movement
    origin = movement.origin
    date = movement.date
    assignee = config.assignee
    return {
        "__TICKET_TRACKID__": track,
        "__TICKET_TYPE__": config.ticket.type.label,
        "__TICKET_SEVERITY__": config.ticket.severity.label,
        "__TICKET_CATEGORY__": config.ticket.category.label,
        "__TICKET_USER_ASSIGN__": assignee.name if assignee else "",
        "__MYCOMPANY_NAME__": config.company_name,
        "__DAY__": f"{date.day:02d}",
        "__MONTH__": f"{date.month:02d}",
        "__YEAR__": str(date.year),
        "__TICKETSTOCK_PRODUCT_REF__": movement.product.ref,
        "__TICKETSTOCK_PRODUCT_LABEL__": movement.product.label or "",
        "__TICKETSTOCK_QTY__": format_qty(movement.qty),
        "__TICKETSTOCK_WAREHOUSE_REF__": warehouse.ref,
        "__TICKETSTOCK_WAREHOUSE_LABEL__": warehouse.label or "",
        "__TICKETSTOCK_BATCH__": movement.batch or "",
        "__TICKETSTOCK_ORIGIN__": f"{origin.type} #{origin.id}" if origin else "",
        "__TICKETSTOCK_MOVEMENT_ID__": str(movement.id),
        "__TICKETSTOCK_MOVEMENT_LABEL__": movement.label or "",
        "__TICKETSTOCK_USER__": movement.user.login,
        "__TICKETSTOCK_DATE__": date.isoformat(timespec="seconds"),
        "__TICKETSTOCK_TICKET_URL__": ticket_url(config, track),
    }


def fill(template: str, values: dict[str, str]) -> str:
    """Replace every known key in one pass; unknown keys stay as written.

    One pass means a value that happens to contain a key (a product label typed as
    ``__REF__``) is not substituted again.
    """
    return _KEY.sub(lambda m: values.get(m.group(0), m.group(0)), template)


def render_subject(template: str, values: dict[str, str]) -> str:
    """The subject on one line, cut to Dolibarr's 255 characters."""
    return " ".join(fill(template, values).split())[:255]


def render_content(template: str, values: dict[str, str], subject: str) -> str:
    """The content, cut to the 65 000 characters ``Ticket::verify()`` accepts."""
    return fill(template, {**values, "__TICKET_SUBJECT__": subject})[:65000]
