"""The ticket stage: a stock-movement event becomes a Dolibarr ticket and mail jobs.

Steps for one message: validate it, ignore what is not a stock increase into a
watched warehouse, create the ticket idempotently through the module's endpoint,
then publish one mail job per distinct recipient. A redelivered or replayed event
finds its ticket already there (same track id) and republishes the same mail jobs
(same job ids), which the mail sender's ledger turns into no-ops.
"""

from __future__ import annotations

import logging
from typing import Protocol

from pydantic import ValidationError

from . import contract
from .config_cache import ConfigCache
from .dolibarr import DolibarrPort
from .errors import ConfigurationError, ConfigurationMissing, InvalidMessage
from .mailjobs import mail_jobs
from .metrics import Metrics
from .models import (
    ConfigWarehouse,
    ModuleConfig,
    StockMovementEvent,
    TicketCreated,
    TicketCreateRequest,
)
from .render import render_content, render_subject, substitutions, track_id
from .topology import MAIL_ROUTING_KEY
from .worker import Delivery

log = logging.getLogger(__name__)

# The create request's limit (ticket-create-request.v1, contact_ids maxItems).
MAX_CONTACTS = 500


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
        event = parse_event(delivery.body)
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
        subject = subject or f"Stock return {event.movement.product.ref}"
        request = TicketCreateRequest(
            track_id=track,
            movement_id=event.movement.id,
            subject=subject,
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


def parse_event(body: bytes) -> StockMovementEvent:
    """The event in a message body, or :class:`InvalidMessage` saying what is wrong."""
    document = contract.decode_json(body, contract.EVENT)
    contract.validate(contract.EVENT, document)
    try:
        return StockMovementEvent.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(part) for part in first["loc"])
        raise InvalidMessage(
            f"{contract.EVENT} invalid at {where}: {first['msg']}"
        ) from exc


def _check_usable(config: ModuleConfig) -> None:
    if not config.ticket.subject.strip() and not config.ticket.content.strip():
        raise ConfigurationMissing(
            f"entity {config.entity} has no ticket subject nor content configured"
        )
    if len(config.contacts) > MAX_CONTACTS:
        raise ConfigurationError(
            f"entity {config.entity}: group has {len(config.contacts)} active members;"
            f" a ticket takes at most {MAX_CONTACTS} contacts"
        )
