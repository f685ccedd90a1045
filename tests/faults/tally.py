"""Counting what a fault scenario produced: tickets, mails, dead letters, losses.

A mail counts for the movement whose ticket it links to (the ticket URL carries
the ticket's track id) and for its envelope recipient, so two deliveries to one
address about one movement are a duplicate however they came about.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from ticketstock.sandbox.dolibarr_double import Ticket
from ticketstock.sandbox.smtp_sink import SmtpSink

# The addresses the shared ``company`` fixture mails for every event: the assignee
# and the one active group member with a usable, distinct address.
RECIPIENTS = ("alice@example.com", "bob@example.com")

MailKey = tuple[int | None, str]  # (movement id, recipient address)

_TRACK_ID = re.compile(r"track_id=([0-9A-Za-z]+)")


def linked_track_id(message: EmailMessage) -> str | None:
    """The track id of the ticket the mail links to, from its plain-text part."""
    body = message.get_body(("plain",))
    if body is None:
        return None
    match = _TRACK_ID.search(body.get_content())
    return match[1] if match else None


@dataclass
class MailCounter:
    """Delivered mails by (movement, recipient), parsing each message once."""

    sink: SmtpSink
    delivered: Counter[MailKey] = field(default_factory=Counter)
    _seen: int = 0

    def refresh(self, tickets: Iterable[Ticket]) -> Counter[MailKey]:
        received = list(self.sink.received)
        movement_of = {t.track_id: t.movement_id for t in tickets}
        for item in received[self._seen :]:
            movement = movement_of.get(linked_track_id(item.message()) or "")
            for address in item.recipients:
                self.delivered[(movement, address.lower())] += 1
        self._seen = len(received)
        return self.delivered


@dataclass(frozen=True)
class Tally:
    """What one scenario produced, as the table prints it."""

    published: int
    movements: int
    tickets: int
    duplicate_tickets: int
    mails_expected: int
    mails_delivered: int
    duplicate_mails: int
    dead_lettered: int
    retries: int
    missing_tickets: int
    missing_mails: int

    @property
    def lost(self) -> int:
        return self.missing_tickets + self.missing_mails

    @property
    def complete(self) -> bool:
        """Every movement has its ticket and every expected mail arrived."""
        return self.lost == 0 and self.mails_delivered >= self.mails_expected


def dead_mail_key(job: dict[str, Any]) -> MailKey:
    """The (movement, recipient) of a dead-lettered mail job."""
    return (job["movement"]["id"], job["recipient"]["email"].lower())


def count(
    events: list[dict[str, Any]],
    tickets: Iterable[Ticket],
    delivered: Counter[MailKey],
    *,
    dead_events: set[str],
    dead_mails: set[MailKey],
    retries: int,
) -> Tally:
    """The tally of ``events`` (duplicates included) against what was produced."""
    by_movement = {event["movement"]["id"]: event for event in events}
    per_movement = Counter(
        t.movement_id for t in tickets if t.movement_id in by_movement
    )
    expected = {(m, a) for m in by_movement for a in RECIPIENTS}
    dead_movements = {
        e["movement"]["id"] for e in events if e["event_id"] in dead_events
    }
    missing_tickets = [
        m for m in by_movement if per_movement[m] == 0 and m not in dead_movements
    ]
    missing_mails = [
        key for key in expected if delivered[key] == 0 and key not in dead_mails
    ]
    return Tally(
        published=len(events),
        movements=len(by_movement),
        tickets=sum(per_movement.values()),
        duplicate_tickets=sum(n - 1 for n in per_movement.values() if n > 1),
        mails_expected=len(expected),
        mails_delivered=sum(1 for key in expected if delivered[key] > 0),
        duplicate_mails=sum(n - 1 for n in delivered.values() if n > 1),
        dead_lettered=len(dead_events) + len(dead_mails),
        retries=retries,
        missing_tickets=len(missing_tickets),
        missing_mails=len(missing_mails),
    )
