"""A poison message: valid by the contract, yet it breaks its handler every time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.faults.conftest import Record
from tests.faults.rig import Rig
from ticketstock import settlement as s

pytestmark = pytest.mark.slow

# The mail-job schema's "email" format only asks for an "@", so this address is
# valid by the contract; Python's header parser cannot parse it and raises
# HeaderParseError, which the mail handler does not expect.
UNPARSABLE_ADDRESS = "@example.com"


def poison_job() -> dict[str, Any]:
    """A mail job as a producer other than the ticket stage could publish it."""
    coded = {"code": "ISSUE", "label": "Issue or bug"}
    return {
        "job_id": str(uuid.uuid4()),
        "schema_version": 1,
        "created_at": datetime.now(UTC).isoformat(),
        "event_id": str(uuid.uuid4()),
        "instance_id": "test-instance",
        "entity": 1,
        "language": "en_US",
        "recipient": {
            "user_id": 99,
            "name": "Nobody",
            "email": UNPARSABLE_ADDRESS,
            "role": "contact",
        },
        "ticket": {
            "id": 1,
            "ref": "TS0000-0001",
            "url": "https://erp.example.com/ticket/card.php?track_id=x",
            "subject": "Poison",
            "content": "Poison",
            "type": coded,
            "severity": coded,
            "category": coded,
        },
        "movement": {
            "id": 1,
            "qty": 1,
            "product_ref": "P",
            "product_label": None,
            "warehouse_ref": "W",
            "warehouse_label": None,
        },
    }


async def test_a_poison_mail_job_is_dead_lettered_after_every_tier_and_blocks_nothing(
    rig: Rig, record: Record
) -> None:
    await rig.declare()
    [service] = await rig.launch("all")
    poison = poison_job()

    await rig.publish_mail_jobs([poison])
    await rig.publish(rig.new_events(10))
    tally = await rig.settle()

    record("poison mail job", tally, "HeaderParseError on every attempt")
    [dead] = rig.dead["mail"]
    assert dead.message_id == poison["job_id"]
    assert dead.headers[s.ATTEMPT] == len(rig.retry_delays) + 1
    assert dead.headers[s.ERROR_CLASS] == "HeaderParseError"
    assert str(dead.headers[s.REASON]).startswith("unexpected error")
    # Every other mail went out while the poison climbed the tiers.
    sent = [r["time"] for r in service.settled("mail-sent")]
    [dead_lettered] = [r["time"] for r in service.settled("dead-lettered")]
    assert len(sent) == tally.mails_expected
    assert max(sent) < dead_lettered
    assert tally.lost == 0
    assert tally.duplicate_tickets == 0
    assert tally.duplicate_mails == 0
