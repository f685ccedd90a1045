"""Mail jobs of one ticket: who gets a mail, and what each job carries.

A job's id depends only on the installation, the entity, the movement and the
recipient's address, so every redelivery or replay of an event yields the same
jobs, which the mail sender's ledger then sends once.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import httpx
from email_validator import EmailNotValidError, validate_email

from . import contract
from .errors import ConfigurationError, ContractViolation, InvalidMessage
from .models import (
    ConfigUser,
    MailJob,
    MailMovement,
    MailTicket,
    ModuleConfig,
    Recipient,
    StockMovementEvent,
    TicketCreated,
)
from .render import ticket_url

# Namespace of the mail job ids: uuid5(namespace, "<instance>/<entity>/<movement>/<email>").
JOB_NAMESPACE = uuid.UUID("4f0c2b9e-3a51-5f7d-9a8e-2d6c1b7e0a13")


def recipients(config: ModuleConfig) -> list[Recipient]:
    """The assignee and the active group members with a valid address, one per address.

    Addresses are checked for syntax only: a DNS lookup per message would put the
    resolver in the hot path. Addresses that need SMTPUTF8 (a non-ASCII local part)
    are left out, as most servers refuse them. Special-use domains (``.local``, ``.test``,
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
        checked = validate_email(
            raw.strip(), check_deliverability=False, allow_smtputf8=False
        )
        return checked.normalized
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
        url=_ascii_url(ticket_url(config, track)),
        subject=ticket.subject[:255],
        content=ticket.message[:65000],
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
        try:
            contract.validate(contract.MAIL_JOB, json.loads(job.model_dump_json()))
        except InvalidMessage as exc:
            raise ContractViolation(f"built a bad mail job: {exc.reason}") from exc
        jobs.append(job)
    return jobs


def _ascii_url(url: str) -> str:
    """The URL with an IDN host in punycode and unsafe characters escaped."""
    try:
        return str(httpx.URL(url))
    except (httpx.InvalidURL, ValueError) as exc:
        raise ConfigurationError(
            f"ticket URL {url!r} is not a valid URL: {exc}"
        ) from exc
