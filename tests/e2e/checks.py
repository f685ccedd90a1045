"""What the cases expect of a ticket, its mails, a published event, or of nothing.

Each check asserts, then answers one line saying what it saw, for the case's row.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

from ticketstock.render import format_qty

from .broker import Captured
from .world import World, wait_for

# How long a case waits for something that must not happen (a ticket, a mail).
QUIET_S = 3.0
EVENT_TYPE = "stock-movement-event.v1"


def at_least(
    count: int, fetch: Callable[[], list[dict[str, Any]]]
) -> Callable[[], list[dict[str, Any]]]:
    """A check for :func:`wait_for`: what ``fetch`` answers, once it has ``count``."""

    def check() -> list[dict[str, Any]]:
        found = fetch()
        return found if len(found) >= count else []

    return check


def published(world: World, movement_id: int) -> Captured:
    """The one message the module published for a movement, with its properties."""
    found: list[Captured] = wait_for(
        lambda: world.events.for_movements(movement_id),
        f"the event of movement {movement_id} on the broker",
        timeout=15,
    )
    assert len(found) == 1, f"{len(found)} messages for movement {movement_id}"
    event = found[0]
    assert event.message_id == event.body["event_id"]
    assert event.type == EVENT_TYPE
    assert (event.app_id or "").startswith("dolibarr-ticketstock/")
    assert event.delivery_mode == 2
    assert event.routing_key == "stock.movement"
    return event


def the_ticket(world: World, movement_id: int, timeout: float = 30) -> dict[str, Any]:
    """The movement's ticket, read back in full; there must be exactly one."""
    found = wait_for(
        lambda: world.tickets_for(movement_id),
        f"the ticket of movement {movement_id}",
        timeout,
    )
    assert len(found) == 1, f"{len(found)} tickets for movement {movement_id}"
    return world.admin.ticket(found[0]["id"])


def qty_text(qty: float) -> str:
    return format_qty(Decimal(str(qty)))


def expected_subject(world: World, qty: float, warehouse_ref: str) -> str:
    return f"Return of {world.co.product_ref} ({qty_text(qty)}) into {warehouse_ref}"


def check_ticket(
    world: World, ticket: dict[str, Any], movement: int, qty: float
) -> str:
    """Type, severity, category, subject, content, assignee and contacts."""
    co = world.co
    message = (
        f"Ticket {ticket['ref']} for movement {movement}: {qty_text(qty)} x "
        f"{co.product_label} into {co.watched_label}."
    )
    expected = {
        "type_code": world.codes["type"],
        "severity_code": world.codes["severity"],
        "category_code": world.codes["category"],
        "subject": expected_subject(world, qty, co.watched_ref),
        "message": message,
        "fk_user_assign": str(co.assignee.id),
        "track_id": world.track(movement),
    }
    assert {key: ticket[key] for key in expected} == expected
    contacts = sorted(
        (int(c["id"]), c["code"]) for c in ticket["contacts_ids_internal"]
    )
    assert contacts == sorted(
        [
            (co.assignee.id, "SUPPORTTEC"),
            (co.assignee.id, "CONTRIBUTOR"),
            (co.member.id, "CONTRIBUTOR"),
            (co.no_email.id, "CONTRIBUTOR"),
        ]
    )
    return (
        f"one ticket {ticket['ref']} (id {ticket['id']}): {ticket['type_code']}/"
        f"{ticket['severity_code']}/{ticket['category_code']}, subject and content "
        f"as configured, assigned to {co.assignee.login} (SUPPORTTEC), contacts "
        f"{co.assignee.login}, {co.member.login} and {co.no_email.login} "
        f"(CONTRIBUTOR), not {co.inactive.login} (inactive)"
    )


def settled_mails(world: World, ticket_ref: str, count: int) -> list[EmailMessage]:
    """Wait for ``count`` mails of a ticket, then make sure no more come."""
    wait_for(
        lambda: len(world.mails_for(ticket_ref)) >= count,
        f"{count} mails for {ticket_ref}",
    )
    time.sleep(QUIET_S)
    mails = world.mails_for(ticket_ref)
    assert len(mails) == count, f"{len(mails)} mails for {ticket_ref}, not {count}"
    return mails


def check_mails(
    world: World, mails: list[EmailMessage], ticket: dict[str, Any], qty: float
) -> str:
    """One mail per recipient, each with the ticket's facts and its link."""
    co = world.co
    recipients = sorted(str(m["To"].addresses[0].addr_spec) for m in mails)
    assert recipients == sorted([co.assignee.email, co.member.email])
    labels = world.config["ticket"]
    url = f"{world.config['ticket_url_base']}?track_id={ticket['track_id']}"
    facts = [
        ticket["ref"],
        labels["type"]["label"],
        labels["severity"]["label"],
        labels["category"]["label"],
        ticket["subject"],
        co.product_ref,
        co.watched_ref,
        ticket["message"],
        url,
    ]
    for mail in mails:
        assert mail["Subject"] == f"[{ticket['ref']}] {ticket['subject']}"
        body = mail.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        missing = [fact for fact in facts if fact not in text]
        assert not missing, f"mail to {mail['To']} lacks {missing}"
    return (
        f"{len(mails)} mails, one each to {' and '.join(recipients)}, with type, "
        f"severity, category, subject, content, product, warehouse and link {url}; "
        f"{co.assignee.login} mailed once though assignee and member; none to "
        f"{co.no_email.login} (no email) or {co.inactive.login} (inactive)"
    )


def nothing_for(world: World, movement_ids: list[int], mails_before: int) -> str:
    """No outbox row, no event, no ticket, no mail, no consumer work for these."""
    rows = world.outbox(*movement_ids)
    assert rows == [], f"outbox rows {rows}"
    time.sleep(QUIET_S)
    events = world.events.for_movements(*movement_ids)
    assert events == [], f"events published: {[e.body['event_id'] for e in events]}"
    tickets = world.tickets_for(*movement_ids)
    assert tickets == [], f"tickets {[t['ref'] for t in tickets]}"
    new_mails = len(world.mailbox.messages()) - mails_before
    assert new_mails == 0, f"{new_mails} new mails"
    handled = [
        line for m in movement_ids for line in world.settled("tickets", movement=m)
    ]
    assert handled == [], f"the consumer handled {handled}"
    return "no outbox row, no event on the broker, no ticket, no mail"
