"""Counting what a fault scenario produced: tickets, mails, dead letters, losses.

A mail is identified by its ``X-TicketStock-Job`` header (the mail job id, which
depends only on the movement and the address), so two deliveries of one job are a
duplicate however they came about.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ticketstock.sandbox.dolibarr_double import Ticket
from ticketstock.sandbox.smtp_sink import SmtpSink
from ticketstock.tickets import JOB_NAMESPACE

# The addresses the shared ``company`` fixture mails for every event: the assignee
# and the one active group member with a usable, distinct address.
RECIPIENTS = ("alice@example.com", "bob@example.com")


def job_id(event: dict[str, Any], address: str) -> str:
    """The mail job id the ticket stage gives this event's mail to ``address``."""
    name = (
        f"{event['instance_id']}/{event['entity']}/{event['movement']['id']}/{address}"
    )
    return str(uuid.uuid5(JOB_NAMESPACE, name))


@dataclass
class MailCounter:
    """Delivered mails by job id, parsing each received message once."""

    sink: SmtpSink
    delivered: Counter[str] = field(default_factory=Counter)
    _seen: int = 0

    def refresh(self) -> Counter[str]:
        received = list(self.sink.received)
        for item in received[self._seen :]:
            job = item.message()["X-TicketStock-Job"]
            self.delivered[str(job)] += 1
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


def count(
    events: list[dict[str, Any]],
    tickets: Iterable[Ticket],
    delivered: Counter[str],
    *,
    dead_events: set[str],
    dead_jobs: set[str],
    retries: int,
) -> Tally:
    """The tally of ``events`` (duplicates included) against what was produced."""
    by_movement = {event["movement"]["id"]: event for event in events}
    per_movement = Counter(
        t.movement_id for t in tickets if t.movement_id in by_movement
    )
    expected = {job_id(e, a) for e in by_movement.values() for a in RECIPIENTS}
    dead_movements = {
        e["movement"]["id"] for e in events if e["event_id"] in dead_events
    }
    missing_tickets = [
        m for m in by_movement if per_movement[m] == 0 and m not in dead_movements
    ]
    missing_mails = [j for j in expected if delivered[j] == 0 and j not in dead_jobs]
    return Tally(
        published=len(events),
        movements=len(by_movement),
        tickets=sum(per_movement.values()),
        duplicate_tickets=sum(n - 1 for n in per_movement.values() if n > 1),
        mails_expected=len(expected),
        mails_delivered=sum(1 for j in expected if delivered[j] > 0),
        duplicate_mails=sum(n - 1 for n in delivered.values() if n > 1),
        dead_lettered=len(dead_events) + len(dead_jobs),
        retries=retries,
        missing_tickets=len(missing_tickets),
        missing_mails=len(missing_mails),
    )
