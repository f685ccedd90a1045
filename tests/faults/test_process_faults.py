"""Processes killed or stopped with messages in flight."""

from __future__ import annotations

import pytest

from tests.faults.conftest import Record
from tests.faults.rig import Rig, wait_until

pytestmark = pytest.mark.slow


async def test_a_ticket_consumer_killed_mid_batch_and_restarted_loses_nothing(
    rig: Rig, record: Record
) -> None:
    await rig.declare()
    [consumer, _sender] = await rig.launch("tickets", "mail")
    rig.double.set_delay(20)
    await rig.publish(rig.new_events(40))

    await wait_until(lambda: len(rig.double.tickets) >= 10, "ten tickets")
    consumer.kill()
    await consumer.wait(10)
    killed_at = len(rig.double.tickets)
    await rig.launch("tickets")
    tally = await rig.settle()

    record("ticket consumer SIGKILL + restart", tally, f"killed at {killed_at} tickets")
    assert consumer.returncode == -9
    assert tally.lost == 0
    assert tally.duplicate_tickets == 0
    assert tally.duplicate_mails == 0
    assert tally.dead_lettered == 0


async def test_a_sender_killed_mid_batch_loses_no_mail_and_resends_only_its_in_flight(
    rig: Rig, record: Record
) -> None:
    # A job claimed by the killed sender stays busy until its claim expires (10 s);
    # meanwhile it waits in the longest tier, again and again, without using up an
    # attempt, then goes out.
    await rig.declare()
    settings = {"ledger_claim_ttl": 10, "mail_prefetch": 8}
    [_consumer, sender] = await rig.launch("tickets", "mail", **settings)
    await rig.publish(rig.new_events(40))

    await wait_until(lambda: len(rig.smtp.received) >= 20, "twenty mails")
    sender.kill()
    await sender.wait(10)
    before_kill = set(rig.mails.refresh(rig.double.tickets))
    await rig.launch("mail", **settings)
    tally = await rig.settle(timeout=60)

    resent = {mail for mail, times in rig.mails.delivered.items() if times > 1}
    record(
        "sender SIGKILL + restart",
        tally,
        f"killed at {len(before_kill)} mails; {len(resent)} resent (known limit)",
    )
    assert sender.returncode == -9
    assert tally.lost == 0
    assert tally.duplicate_tickets == 0
    assert tally.dead_lettered == 0
    # The ledger's known limit: a job the SMTP server accepted but the killed sender
    # had not yet marked sent goes out again once its claim expires. Only jobs in
    # flight at the kill can be resent, each once, under the same Message-ID.
    assert resent <= before_kill
    assert len(resent) <= 8
    assert all(times <= 2 for times in rig.mails.delivered.values())


async def test_sigterm_drains_in_flight_messages_and_dead_letters_none(
    rig: Rig, record: Record
) -> None:
    await rig.declare()
    [consumer, _sender] = await rig.launch("tickets", "mail")
    rig.double.set_delay(300)
    await rig.publish(rig.new_events(30))

    create = ("POST", "/api/index.php/ticketstock/tickets")
    await wait_until(lambda: rig.double.calls[create] >= 8, "eight creates in flight")
    consumer.terminate()
    assert await consumer.wait(15) == 0
    drained = len(consumer.settled())
    rig.double.set_delay(0)
    await rig.launch("tickets")
    tally = await rig.settle()

    record("SIGTERM with messages in flight", tally, f"{drained} drained on stop")
    log = consumer.log_text()
    assert "shutdown left messages unsettled" not in log
    assert "settle failed" not in log
    assert {r["outcome"] for r in consumer.settled()} == {"ticket-created"}
    # Every create call belongs to a message settled once: nothing in flight at the
    # signal was abandoned and handled again by the next process.
    assert rig.double.calls[create] == tally.movements
    assert tally.lost == 0
    assert tally.duplicate_tickets == 0
    assert tally.duplicate_mails == 0
    assert tally.dead_lettered == 0
