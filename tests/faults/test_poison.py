"""A poison message: valid, yet it fails the same way on every attempt.

Every failure that depends on a message's data alone is permanent and goes to the
dead-letter queue at once. What remains is a failure temporary by its nature that
never clears for one message: here a recipient's mailbox is full, so the SMTP server
answers 452 at RCPT to every attempt of that one mail job.
"""

from __future__ import annotations

import json

import pytest

from tests import factories
from tests.faults.conftest import Record
from tests.faults.rig import PRODUCT, Rig
from ticketstock import settlement as s

pytestmark = pytest.mark.slow

FULL_MAILBOX = "full@example.com"


def poison_event(rig: Rig) -> dict[str, object]:
    """An event of entity 2, whose only recipient has a full mailbox."""
    double = rig.double
    owner = double.add_user("full", "Mailbox", "Full", FULL_MAILBOX, entity=2)
    warehouse = double.add_warehouse("WH-RET-2", "Returns 2", entity=2)
    double.configure(
        2,
        warehouses=[warehouse],
        assignee_id=owner,
        group_id=None,
        type_code="ISSUE",
        severity_code="HIGH",
        category_code="OTHER",
        subject="Return of __TICKETSTOCK_PRODUCT_REF__",
        content="__TICKETSTOCK_QTY__ returned.",
    )
    product = rig.company["product"]
    movement = double.add_movement(product, warehouse, 1, 3)
    return factories.event(
        movement,
        entity=2,
        warehouse_id=warehouse,
        qty=1,
        product={"id": product, **PRODUCT},
    )


async def test_a_mail_that_fails_every_attempt_is_dead_lettered_and_blocks_nothing(
    rig: Rig, record: Record
) -> None:
    await rig.declare()
    [service] = await rig.launch("all")
    rig.smtp.refuse(FULL_MAILBOX, "452 4.2.2 Mailbox full")

    await rig.publish([poison_event(rig)], counted=False)
    await rig.publish(rig.new_events(10))
    tally = await rig.settle(
        lambda t: t.complete and len(service.settled("dead-lettered")) == 1
    )

    record("poison: mailbox full (452)", tally, "one job 452 on every attempt")
    [dead] = rig.dead["mail"]
    assert json.loads(dead.body)["recipient"]["email"] == FULL_MAILBOX
    assert dead.headers[s.ATTEMPT] == len(rig.retry_delays) + 1
    assert dead.headers[s.SMTP_CODE] == 452
    assert dead.headers[s.ERROR_CLASS] == "SmtpTemporaryError"
    # Every other mail went out while the poison climbed the tiers.
    sent = [r["time"] for r in service.settled("mail-sent")]
    [dead_lettered] = [r["time"] for r in service.settled("dead-lettered")]
    assert len(sent) == tally.mails_expected
    assert max(sent) < dead_lettered
    assert tally.lost == 0
    assert tally.duplicate_tickets == 0
    assert tally.duplicate_mails == 0
