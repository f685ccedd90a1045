"""The whole chain on a real Dolibarr: stock movement, event, ticket, mails.

The cases run in this order on one world (conftest.py); each makes its own
movements and checks only what they caused. The broker outage goes last: it
changes the module's broker setting while it runs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from . import checks
from .broker import closed_port, rabbitmqctl, wait_for_broker
from .proxy import HoldingProxy
from .report import Case
from .services import publish_events
from .world import World, wait_for

pytestmark = [pytest.mark.dolibarr, pytest.mark.timeout(300)]

OUTBOX_SENT, OUTBOX_FAILED = 1, 2


def test_an_increase_into_the_watched_warehouse_makes_one_ticket_and_its_mails(
    world: World, case: Case
) -> None:
    co = world.co
    config = world.config
    assert config["enabled"] is True
    assert [w["id"] for w in config["warehouses"]] == [co.watched]
    contacts = {co.assignee.id, co.member.id, co.no_email.id}
    assert {c["id"] for c in config["contacts"]} == contacts
    case.saw(
        f"config read with {co.api_user.login}'s key (module rights only): contacts "
        f"{co.assignee.login}, {co.member.login}, {co.no_email.login}; "
        f"{co.inactive.login} (inactive) left out"
    )

    movement = world.move(co.watched, 3)
    event = checks.published(world, movement)
    case.saw(
        f"movement {movement} (+3 into {co.watched_ref}) published once, "
        f"message_id = event_id {event.message_id}"
    )

    ticket = checks.the_ticket(world, movement)
    case.saw(checks.check_ticket(world, ticket, movement, 3))

    mails = checks.settled_mails(world, ticket["ref"], 2)
    case.saw(checks.check_mails(world, mails, ticket, 3))


def test_the_same_event_published_again_adds_no_ticket_and_no_mail(
    world: World, case: Case, tmp_path: Path
) -> None:
    movement = world.move(world.co.watched, 2)
    ticket = checks.the_ticket(world, movement)
    checks.settled_mails(world, ticket["ref"], 2)
    event = checks.published(world, movement)
    event_id = event.body["event_id"]

    path = tmp_path / "event.json"
    path.write_text(json.dumps(event.body), encoding="utf-8")
    publish_events(world.service_env(), path)
    case.saw(f"ticket {ticket['ref']} and 2 mails; event {event_id} published again")

    handled = wait_for(
        checks.at_least(2, lambda: world.settled("tickets", event_id=event_id)),
        "the consumer to handle the event a second time",
    )
    assert [line["outcome"] for line in handled] == ["ticket-created", "ticket-exists"]
    sent = wait_for(
        checks.at_least(4, lambda: world.settled("mail", event_id=event_id)),
        "the sender to handle the mail jobs a second time",
    )
    outcomes = sorted(line["outcome"] for line in sent)
    assert outcomes == ["mail-already-sent"] * 2 + ["mail-sent"] * 2

    time.sleep(checks.QUIET_S)
    assert len(world.tickets_for(movement)) == 1
    assert len(world.mails_for(ticket["ref"])) == 2
    case.saw("consumer: ticket-exists; sender: mail-already-sent twice; still 1 ticket")


def test_a_consumer_killed_after_the_ticket_then_restarted_adds_no_ticket_or_mail(
    world: World, case: Case
) -> None:
    co = world.co
    world.current("tickets").stop()
    proxy = HoldingProxy(world.cfg.url).start()
    try:
        held = world.start(
            "tickets", "consumer-held", TICKETSTOCK_DOLIBARR_URL=proxy.url
        )
        movement = world.move(co.watched, 1)
        wait_for(proxy.held.is_set, "the consumer's ticket request to reach Dolibarr")
        answer = proxy.held_answer or {}
        tickets = world.tickets_for(movement)
        assert len(tickets) == 1 and answer.get("created") is True
        assert world.mails_for(tickets[0]["ref"]) == []
        held.kill()
    finally:
        # Whatever happened, the next cases need a consumer talking to Dolibarr.
        world.current("tickets").kill()
        proxy.stop()
        world.start("tickets", "consumer-restarted")
    ref = tickets[0]["ref"]
    case.saw(
        f"ticket {ref} created, its answer held back; consumer pid {held.pid} "
        "killed (SIGKILL) before any mail job; consumer started again"
    )

    handled = wait_for(
        lambda: world.current("tickets").settled(movement=movement),
        "the restarted consumer to handle the redelivered event",
    )
    assert [line["outcome"] for line in handled] == ["ticket-exists"]
    mails = checks.settled_mails(world, ref, 2)
    assert len(world.tickets_for(movement)) == 1
    case.saw(
        f"restarted consumer got the event again: ticket-exists, still 1 ticket; "
        f"{len(mails)} mails, one per recipient"
    )


def test_an_increase_into_another_warehouse_makes_nothing(
    world: World, case: Case
) -> None:
    before = len(world.mailbox.messages())
    movement = world.move(world.co.other, 2)
    case.saw(f"movement {movement} (+2 into {world.co.other_ref})")
    case.saw(checks.nothing_for(world, [movement], before))


def test_a_decrease_of_the_watched_warehouse_makes_nothing(
    world: World, case: Case
) -> None:
    before = len(world.mailbox.messages())
    movement = world.move(world.co.watched, -1)
    case.saw(f"movement {movement} (-1 from {world.co.watched_ref})")
    case.saw(checks.nothing_for(world, [movement], before))


def test_a_transfer_out_of_the_watched_warehouse_makes_nothing(
    world: World, case: Case
) -> None:
    co = world.co
    before = len(world.mailbox.messages())
    legs = world.transfer(co.watched, co.other, 2)
    assert [(leg["warehouse_id"], leg["type"]) for leg in legs] == [
        (co.watched, 1),
        (co.other, 0),
    ]
    case.saw(
        f"transfer of 2 from {co.watched_ref} to {co.other_ref}: movements "
        f"{legs[0]['id']} (out, type 1) and {legs[1]['id']} (in, type 0)"
    )
    case.saw(checks.nothing_for(world, [leg["id"] for leg in legs], before))


def test_a_transfer_into_the_watched_warehouse_makes_one_ticket(
    world: World, case: Case
) -> None:
    co = world.co
    legs = world.transfer(co.other, co.watched, 4)
    out_leg, in_leg = legs
    assert (in_leg["warehouse_id"], in_leg["type"]) == (co.watched, 0)
    assert world.outbox(out_leg["id"]) == []
    checks.published(world, in_leg["id"])
    assert world.events.for_movements(out_leg["id"]) == []
    case.saw(
        f"transfer of 4 from {co.other_ref}: out leg {out_leg['id']} nothing, "
        f"in leg {in_leg['id']} (type 0) published once"
    )

    ticket = checks.the_ticket(world, in_leg["id"])
    case.saw(checks.check_ticket(world, ticket, in_leg["id"], 4))
    mails = checks.settled_mails(world, ticket["ref"], 2)
    case.saw(checks.check_mails(world, mails, ticket, 4))


def test_a_movement_dolibarr_rolls_back_after_the_trigger_ran_makes_nothing(
    world: World, case: Case
) -> None:
    co = world.co
    serial = f"SN-E2E-{world.run_id}"
    first = world.move(co.watched, 1, product=co.serial, batch=serial)
    ticket = checks.the_ticket(world, first)
    checks.settled_mails(world, ticket["ref"], 2)
    before = len(world.mailbox.messages())

    next_ids = world.helper.run("next-ids")
    refused = world.admin.move(
        co.serial, co.watched, 1, f"e2e {world.run_id}", batch=serial
    )
    rolled_back = next_ids["stock_mouvement"]
    world.remember(rolled_back)
    after = world.helper.run("next-ids")
    assert refused.status_code >= 400, refused.text
    assert after["stock_mouvement"] == rolled_back + 1, "no movement id was used"
    assert after["ticketstock_outbox"] == next_ids["ticketstock_outbox"] + 1, (
        "the trigger did not write (then lose) an outbox row"
    )
    assert not world.admin.movement_exists(rolled_back)
    case.saw(
        f"serial {serial}: first receipt {first} gave ticket {ticket['ref']}; the "
        f"same serial again answered HTTP {refused.status_code}, movement "
        f"{rolled_back} and its outbox row were rolled back after the trigger ran"
    )
    case.saw(checks.nothing_for(world, [rolled_back], before))


def test_each_entity_gets_its_own_tickets(world: World) -> None:
    state = world.helper.run("state")
    if not state["multicompany"]:
        pytest.skip(
            "the multicompany module is not enabled: this Dolibarr has one entity"
        )
    # Known shortcoming: driving a second entity (its own module setup, warehouse and
    # API user) is not automated; a multicompany Dolibarr skips here rather than
    # passing untested.
    pytest.skip("multicompany is enabled, but this suite drives entity 1 only")


def test_a_movement_during_a_broker_outage_succeeds_and_its_ticket_follows(
    world: World, case: Case
) -> None:
    co = world.co
    with _outage(world, case):
        started = time.monotonic()
        response = world.admin.move(co.product, co.watched, 5, f"e2e {world.run_id}")
        took_ms = (time.monotonic() - started) * 1000
        assert response.status_code == 200, response.text
        movement = int(response.json())
        world.remember(movement)
        rows = world.outbox(movement)
        assert [row["status"] for row in rows] == [OUTBOX_FAILED]
        case.saw(
            f"movement {movement} succeeded (HTTP 200 in {took_ms:.0f} ms); outbox "
            f"row failed: {rows[0]['last_error']}"
        )
    assert world.tickets_for(movement) == []

    runs: list[str] = []

    def job_published() -> bool:
        runs.append(world.helper.publish_outbox(world.module_dir)[1])
        return bool(world.outbox(movement)[0]["status"] == OUTBOX_SENT)

    began = time.monotonic()
    wait_for(job_published, "the retry job to publish the row", timeout=120, every=5)
    case.saw(
        f"broker back; the module's cron script ran {len(runs)} times over "
        f"{time.monotonic() - began:.0f} s (backoff) and published it: {runs[-1]}"
    )
    ticket = checks.the_ticket(world, movement, timeout=60)
    case.saw(checks.check_ticket(world, ticket, movement, 5))
    mails = checks.settled_mails(world, ticket["ref"], 2)
    case.saw(f"{len(mails)} mails, one per recipient")


@contextmanager
def _outage(world: World, case: Case) -> Iterator[None]:
    """The broker unreachable for the module while the block runs.

    With TICKETSTOCK_E2E_STOP_BROKER=1 the local RabbitMQ really stops; otherwise
    the module is pointed at a closed port, which it cannot tell from a stopped
    broker (connection refused), and the case's line says so.
    """
    if world.cfg.stop_broker:
        rabbitmqctl("stop_app")
        case.saw("RabbitMQ stopped (rabbitmqctl stop_app)")
        try:
            yield
        finally:
            rabbitmqctl("start_app")
            wait_for_broker(world.cfg.amqp_url)
        return
    port, closed = world.form["broker_port"], closed_port()
    world.configure(broker_port=str(closed))
    case.saw(
        f"outage simulated: module pointed at closed port {closed} "
        "(TICKETSTOCK_E2E_STOP_BROKER=1 stops RabbitMQ instead)"
    )
    try:
        yield
    finally:
        world.configure(broker_port=port)
