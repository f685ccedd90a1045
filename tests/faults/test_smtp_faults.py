"""The SMTP server refusing for a while, for good, or hanging up after the data."""

from __future__ import annotations

import pytest

from tests.faults.conftest import Record
from tests.faults.rig import Rig
from ticketstock import settlement as s

pytestmark = pytest.mark.slow


async def test_smtp_answering_451_then_250_delivers_each_mail_once(
    rig: Rig, record: Record
) -> None:
    await rig.declare()
    await rig.launch("all")
    rig.smtp.script("451", "451", "451")

    await rig.publish(rig.new_events(5))
    tally = await rig.settle()

    record("smtp 451 x3 then 250", tally, "3 mails waited one tier")
    assert tally.lost == 0
    assert tally.duplicate_tickets == 0
    assert tally.duplicate_mails == 0
    assert tally.dead_lettered == 0
    assert rig.retries("mail") == 3


async def test_smtp_answering_550_dead_letters_that_mail_with_its_code(
    rig: Rig, record: Record
) -> None:
    await rig.declare()
    await rig.launch("all")
    rig.smtp.script("550")

    await rig.publish(rig.new_events(5))
    tally = await rig.settle(lambda t: t.mails_delivered == t.mails_expected - 1)

    record("smtp 550 on one mail", tally, "the refused job is in mail.dead")
    [dead] = rig.dead["mail"]
    assert dead.headers[s.SMTP_CODE] == 550
    assert dead.headers[s.ATTEMPT] == 1
    assert dead.headers[s.ERROR_CLASS] == "SmtpPermanentError"
    assert tally.lost == 0
    assert tally.duplicate_tickets == 0
    assert tally.duplicate_mails == 0
    assert tally.dead_lettered == 1
    assert rig.retries("mail") == 0


async def test_smtp_dropping_the_connection_after_data_is_retried_and_sent_once(
    rig: Rig, record: Record
) -> None:
    await rig.declare()
    await rig.launch("all")
    rig.smtp.script("drop", "drop")

    await rig.publish(rig.new_events(5))
    tally = await rig.settle()

    record("smtp drops after DATA x2", tally, "2 mails waited one tier")
    assert tally.lost == 0
    assert tally.duplicate_tickets == 0
    assert tally.duplicate_mails == 0
    assert tally.dead_lettered == 0
    assert rig.retries("mail") == 2
