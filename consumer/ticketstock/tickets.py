"""The ticket stage: a stock-movement event becomes a Dolibarr ticket and mail jobs.

Steps for one message: validate it, ignore what is not a stock increase into a
watched warehouse, create the ticket idempotently through the module's endpoint,
then publish one mail job per distinct recipient. A redelivered or replayed event
finds its ticket already there (same track id) and republishes the same mail jobs
(same job ids), which the mail sender's ledger turns into no-ops.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Protocol

from email_validator import EmailNotValidError, validate_email

from . import contract
from .config_cache import ConfigCache
from .dolibarr import DolibarrPort
from .errors import ConfigurationMissing
from .metrics import Metrics
from .models import (
    ConfigUser,
    ConfigWarehouse,
    MailJob,
    MailMovement,
    MailTicket,
    ModuleConfig,
    Recipient,
    StockMovementEvent,
    TicketCreated,
    TicketCreateRequest,
)
from .render import render_content, render_subject, substitutions, ticket_url, track_id
from .topology import MAIL_ROUTING_KEY
from .worker import Delivery

log = logging.getLogger(__name__)

# Namespace of the mail job ids: uuid5(namespace, "<instance>/<entity>/<movement>/<email>").
JOB_NAMESPACE = uuid.UUID("4f0c2b9e-3a51-5f7d-9a8e-2d6c1b7e0a13")


class Publisher(Protocol):
    async def publish(
        self,
        exchange: str,
        routing_key: str,
        body: bytes,
        *,
        message_id: str,
        type_: str | None = ...,
    ) -> None: ...


class TicketHandler:
    """Handles the ``tickets`` stage's deliveries."""

    def __init__(
        self,
        dolibarr: DolibarrPort,
        configs: ConfigCache,
        publisher: Publisher,
        mail_exchange: str,
        secret: bytes,
        metrics: Metrics,
    ) -> None:
        self._dolibarr = dolibarr
        self._configs = configs
        self._publisher = publisher
        self._mail_exchange = mail_exchange
        self._secret = secret
        self._metrics = metrics

    async def __call__(self, delivery: Delivery) -> str:
        document = contract.decode_json(delivery.body, contract.EVENT)
        contract.validate(contract.EVENT, document)
        event = StockMovementEvent.model_validate(document)
        movement = event.movement
        delivery.fields.update(
            event_id=str(event.event_id), entity=event.entity, movement=movement.id
        )
        if not movement.is_increase:
            log.debug(
                "event ignored event_id=%s reason=not-an-increase", event.event_id
            )
            return "ignored-not-increase"

        config = await self._configs.get(event.entity)
        warehouse = config.watched(movement.warehouse.id)
        if not config.enabled or warehouse is None:
            log.debug(
                "event ignored event_id=%s reason=warehouse-not-watched", event.event_id
            )
            return "ignored-not-watched"
        _check_usable(config)

        track = track_id(self._secret, event.instance_id, event.entity, movement.id)
        ticket = await self._create_ticket(event, config, warehouse, track)
        delivery.fields["ticket"] = ticket.ref
        self._metrics.tickets.labels("created" if ticket.created else "existing").inc()

        jobs = mail_jobs(event, config, ticket, track)
        for job in jobs:
            body = job.model_dump_json().encode()
            await self._publisher.publish(
                self._mail_exchange,
                MAIL_ROUTING_KEY,
                body,
                message_id=str(job.job_id),
                type_=contract.MAIL_JOB,
            )
        delivery.fields["mail_jobs"] = len(jobs)
        return "ticket-created" if ticket.created else "ticket-exists"

    async def _create_ticket(
        self,
        event: StockMovementEvent,
        config: ModuleConfig,
        warehouse: ConfigWarehouse,
        track: str,
    ) -> TicketCreated:
        values = substitutions(event, config, warehouse, track)
        subject = render_subject(config.ticket.subject, values)
        request = TicketCreateRequest(
            track_id=track,
            movement_id=event.movement.id,
            subject=subject or f"Stock return {event.movement.product.ref}",
            message=render_content(config.ticket.content, values, subject) or subject,
            type_code=config.ticket.type.code,
            severity_code=config.ticket.severity.code,
            category_code=config.ticket.category.code,
            fk_user_assign=config.assignee.id if config.assignee else None,
            contact_ids=tuple(sorted({c.id for c in config.contacts})),
        )
        contract.validate(
            contract.TICKET_CREATE_REQUEST, request.model_dump(mode="json")
        )
        return await self._dolibarr.create_ticket(event.entity, request)


def _check_usable(config: ModuleConfig) -> None:
    if not config.ticket.subject.strip() and not config.ticket.content.strip():
        raise ConfigurationMissing(
            f"entity {config.entity} has no ticket subject nor content configured"
        )


def recipients(config: ModuleConfig) -> list[Recipient]:
    """The assignee and the active group members with a valid address, one per address.

    Addresses are checked for syntax only: a DNS lookup per message would put the
    resolver in the hot path. Special-use domains (``.local``, ``.test``,
    ``.localhost``) are refused as email-validator refuses them: no mail server on the
    internet delivers to them. The assignee comes first, so an address shared with a
    contact keeps the assignee's role.
    """
    people: list[tuple[ConfigUser, str]] = []
    if config.assignee is not None:
        people.append((config.assignee, "assignee"))
    people.extend((contact, "contact") for contact in config.contacts)
    chosen: dict[str, Recipient] = {}
    for user, role in people:
        address = _valid_address(user.email)
        if address is None or address.lower() in chosen:
            continue
        chosen[address.lower()] = Recipient(
            user_id=user.id,
            name=user.name,
            email=address,
            role=role,  # type: ignore[arg-type]
        )
    return list(chosen.values())


def _valid_address(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def mail_jobs(
    event: StockMovementEvent,
    config: ModuleConfig,
    ticket: TicketCreated,
    track: str,
) -> list[MailJob]:
    """One job per recipient, with ids that depend only on the movement and the address."""
    movement = event.movement
    warehouse = config.watched(movement.warehouse.id)
    mail_ticket = MailTicket(
        id=ticket.id,
        ref=ticket.ref,
        url=ticket_url(config, track),
        subject=ticket.subject,
        content=ticket.message,
        type=config.ticket.type,
        severity=config.ticket.severity,
        category=config.ticket.category,
    )
    mail_movement = MailMovement(
        id=movement.id,
        qty=float(movement.qty),
        product_ref=movement.product.ref,
        product_label=movement.product.label,
        warehouse_ref=movement.warehouse.ref,
        warehouse_label=warehouse.label if warehouse else None,
    )
    now = datetime.now(UTC)
    jobs = []
    for recipient in recipients(config):
        name = f"{event.instance_id}/{event.entity}/{movement.id}/{recipient.email.lower()}"
        job = MailJob(
            job_id=uuid.uuid5(JOB_NAMESPACE, name),
            created_at=now,
            event_id=event.event_id,
            instance_id=event.instance_id,
            entity=event.entity,
            language=config.language,
            recipient=recipient,
            ticket=mail_ticket,
            movement=mail_movement,
        )
        contract.validate(contract.MAIL_JOB, json.loads(job.model_dump_json()))
        jobs.append(job)
    return jobs
