"""The whole pipeline on the real RabbitMQ, the Dolibarr double and a real SMTP server."""

from __future__ import annotations

import json
from typing import Any

import aio_pika
import httpx

from tests import factories
from tests.conftest import Publish, collect, counted, eventually
from ticketstock import settlement as s
from ticketstock.mailjobs import mail_jobs
from ticketstock.models import ModuleConfig, StockMovementEvent, TicketCreated
from ticketstock.sandbox.dolibarr_double import DolibarrDouble
from ticketstock.sandbox.smtp_sink import SmtpSink
from ticketstock.service import Service


def _event(
    company: dict[str, int], double: DolibarrDouble, **changes: Any
) -> dict[str, Any]:
    warehouse = changes.pop("warehouse_id", company["watched"])
    qty = changes.pop("qty", 2)
    type_ = changes.pop("type_", 3)
    movement_id = double.add_movement(company["product"], warehouse, qty, type_)
    return factories.event(
        movement_id,
        warehouse_id=warehouse,
        qty=qty,
        type_=type_,
        product={"id": company["product"], "ref": "CHAIR-1", "label": "Folding chair"},
        **changes,
    )


async def test_an_increase_into_a_watched_warehouse_gives_one_ticket_and_one_mail_each(
    service: Service,
    double: DolibarrDouble,
    smtp: SmtpSink,
    company: dict[str, int],
    publish: Publish,
) -> None:
    await publish(_event(company, double))

    await eventually(lambda: len(smtp.received) == 2, what="two mails")
    [ticket] = double.tickets
    assert ticket.subject == "Return of CHAIR-1 (2)"
    assert ticket.message == f"2 x Folding chair into Returns, ticket {ticket.ref}."
    assert (ticket.type_code, ticket.severity_code, ticket.category_code) == (
        "ISSUE",
        "HIGH",
        "OTHER",
    )
    assert ticket.fk_user_assign == company["assignee"]
    contacts = {(c.user_id, c.role) for c in ticket.contacts}
    assert (company["bob"], "CONTRIBUTOR") in contacts
    assert (company["assignee"], "SUPPORTTEC") in contacts
    recipients = sorted(r for item in smtp.received for r in item.recipients)
    assert recipients == ["alice@example.com", "bob@example.com"]
    mail = smtp.messages()[0]
    assert mail["Subject"] == f"[{ticket.ref}] Return of CHAIR-1 (2)"
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    for fact in (
        ticket.ref,
        "Issue or bug",
        "High",
        "Other",
        "CHAIR-1",
        "Folding chair",
        "WH-RET",
        f"https://erp.example.com/ticket/card.php?track_id={ticket.track_id}",
    ):
        assert fact in text


async def test_a_duplicate_or_replayed_event_gives_one_ticket_and_one_mail_per_recipient(
    service: Service,
    double: DolibarrDouble,
    smtp: SmtpSink,
    company: dict[str, int],
    publish: Publish,
) -> None:
    event = _event(company, double)
    replayed = {**event, "event_id": "00000000-0000-4000-8000-000000000001"}
    await publish(event)
    await publish(event)
    await publish(replayed)

    await eventually(
        lambda: (
            counted(
                service,
                "ticketstock_messages_acked",
                stage="tickets",
                outcome="ticket-exists",
            )
            == 2
        ),
        what="the two repeats handled",
    )
    await eventually(
        lambda: counted(service, "ticketstock_mails", result="skipped") >= 4,
        what="repeated mail jobs skipped",
    )
    assert len(double.tickets) == 1
    assert len(smtp.received) == 2


async def test_what_is_not_an_increase_into_a_watched_warehouse_is_acked_without_a_ticket(
    service: Service,
    double: DolibarrDouble,
    smtp: SmtpSink,
    company: dict[str, int],
    publish: Publish,
) -> None:
    await publish(_event(company, double, qty=-1, type_=1))
    await publish(_event(company, double, qty=-4, type_=2))
    await publish(_event(company, double, warehouse_id=company["other"]))

    acked = "ticketstock_messages_acked"
    await eventually(
        lambda: (
            counted(service, acked, stage="tickets", outcome="ignored-not-increase")
            == 2
            and counted(service, acked, stage="tickets", outcome="ignored-not-watched")
            == 1
        ),
        what="three ignored events",
    )
    assert double.tickets == []
    assert smtp.received == []


async def test_an_invalid_message_is_dead_lettered_at_once_with_its_reason(
    service: Service,
    amqp: aio_pika.abc.AbstractRobustConnection,
    prefix: str,
    publish: Publish,
    double: DolibarrDouble,
) -> None:
    broken = factories.event(99)
    broken["movement"]["qty"] = "many"
    await publish(broken)
    await publish({}, raw=b"\xff not json")

    dead = await collect(amqp, f"{prefix}.tickets.dead", 2)
    first = dead[0].headers
    assert first[s.ERROR_CLASS] == "InvalidMessage"
    assert "movement/qty" in str(first[s.REASON])
    assert first[s.ATTEMPT] == 1
    assert first[s.STAGE] == "tickets"
    assert "not UTF-8" in str(dead[1].headers[s.REASON])
    assert json.loads(dead[0].body)["movement"]["qty"] == "many"  # body kept as sent
    assert ("POST", "/api/index.php/ticketstock/tickets") not in double.calls


async def test_a_dolibarr_outage_is_retried_through_the_tiers_and_recovers(
    service: Service,
    double: DolibarrDouble,
    smtp: SmtpSink,
    company: dict[str, int],
    publish: Publish,
) -> None:
    # Two in-process attempts fail, the message waits 1 s in the first tier, then succeeds.
    double.fail_next(503, 2, path="/api/index.php/ticketstock/tickets")
    await publish(_event(company, double))

    await eventually(
        lambda: len(smtp.received) == 2, timeout=20, what="mails after recovery"
    )
    assert len(double.tickets) == 1
    assert (
        counted(service, "ticketstock_messages_retried", stage="tickets", delay_s="1")
        == 1
    )


async def test_a_movement_rolled_back_after_its_trigger_is_acked_without_a_ticket(
    service: Service,
    double: DolibarrDouble,
    smtp: SmtpSink,
    company: dict[str, int],
    publish: Publish,
) -> None:
    event = _event(company, double)
    double.remove_movement(event["movement"]["id"])
    await publish(event)

    await eventually(
        lambda: (
            counted(
                service,
                "ticketstock_messages_acked",
                stage="tickets",
                outcome="movement-missing",
            )
            == 1
        ),
        timeout=20,
        what="the missing movement acked after one delayed retry",
    )
    assert (
        counted(service, "ticketstock_messages_retried", stage="tickets", delay_s="1")
        == 1
    )
    assert double.tickets == []


async def test_an_smtp_5xx_is_dead_lettered_with_its_code_and_a_4xx_retried(
    service: Service,
    double: DolibarrDouble,
    smtp: SmtpSink,
    company: dict[str, int],
    publish: Publish,
    amqp: aio_pika.abc.AbstractRobustConnection,
    prefix: str,
) -> None:
    smtp.script("550", "451")
    await publish(_event(company, double))

    await eventually(
        lambda: len(smtp.received) == 1, timeout=20, what="the retried mail"
    )
    dead = await collect(amqp, f"{prefix}.mail.dead", 1)
    assert dead[0].headers[s.SMTP_CODE] == 550
    assert dead[0].headers[s.ERROR_CLASS] == "SmtpPermanentError"
    assert (
        counted(service, "ticketstock_messages_retried", stage="mail", delay_s="1") == 1
    )


async def test_ready_only_while_consuming_and_metrics_are_exported(
    service: Service,
) -> None:
    assert service.health is not None and service.health.port
    base = f"http://127.0.0.1:{service.health.port}"
    async with httpx.AsyncClient() as client:
        ready = await client.get(f"{base}/readyz")
        metrics = await client.get(f"{base}/metrics")
        assert ready.status_code == 200, ready.text
        assert "ticketstock_messages_received" in metrics.text
        await service.workers[0].stop(1.0)
        not_ready = await client.get(f"{base}/readyz")
    assert not_ready.status_code == 503
    assert (
        not_ready.json()["checks"][f"consuming:{service.workers[0].queue_name}"]
        is False
    )


async def test_a_mail_job_with_an_unusable_address_is_dead_lettered_at_once(
    service: Service,
    amqp: aio_pika.abc.AbstractRobustConnection,
    prefix: str,
    smtp: SmtpSink,
) -> None:
    config = ModuleConfig.model_validate(factories.module_config())
    event = StockMovementEvent.model_validate(factories.event())
    ticket = TicketCreated(
        id=1,
        ref="TS1",
        track_id="ts",
        created=True,
        entity=1,
        subject="S",
        message="M",
        fk_user_assign=None,
        contact_ids=(),
    )
    job = mail_jobs(event, config, ticket, "ts")[0].model_dump(mode="json")
    job["recipient"]["email"] = "@example.com"  # the schema's format only wants an @
    channel = await amqp.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(f"{prefix}.mail")
    await exchange.publish(
        aio_pika.Message(json.dumps(job).encode()), routing_key="mail.job"
    )
    await channel.close()

    [dead] = await collect(amqp, f"{prefix}.mail.dead", 1)
    assert dead.headers[s.ATTEMPT] == 1
    assert "unusable address" in str(dead.headers[s.REASON])
    assert smtp.received == []
