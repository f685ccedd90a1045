"""Composing the email of one mail job: text and HTML parts, safe headers.

Every header value comes from the job and is flattened to one line before it is
set, so a CR/LF typed into a product label or a user's name cannot add a header.
The Message-ID is derived from the job id, so a resent job is recognisably the
same mail.
"""

from __future__ import annotations

import html
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from .models import MailJob

_LABELS = {
    "en": {
        "greeting": "Hello {name},",
        "intro": "A ticket was created for goods returned to stock.",
        "ticket": "Ticket",
        "type": "Type",
        "severity": "Severity",
        "category": "Category",
        "subject": "Subject",
        "product": "Product",
        "quantity": "Quantity",
        "warehouse": "Warehouse",
        "link": "Open the ticket",
        "role_assignee": "You are assigned to this ticket.",
        "role_contact": "You are a contact of this ticket.",
    },
    "fr": {
        "greeting": "Bonjour {name},",
        "intro": "Un ticket a été créé pour des marchandises retournées en stock.",
        "ticket": "Ticket",
        "type": "Type",
        "severity": "Sévérité",
        "category": "Catégorie",
        "subject": "Sujet",
        "product": "Produit",
        "quantity": "Quantité",
        "warehouse": "Entrepôt",
        "link": "Ouvrir le ticket",
        "role_assignee": "Ce ticket vous est assigné.",
        "role_contact": "Vous êtes contact de ce ticket.",
    },
}


# Bidirectional overrides and isolates: they can make a header read differently
# from what it says (an address displayed backwards).
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)], None)


def one_line(value: str) -> str:
    """The value on one line: white space folded, bidirectional controls removed."""
    return " ".join(value.translate(_BIDI_CONTROLS).split())


def labels_for(language: str) -> dict[str, str]:
    """Labels in the job's language; English when the language has none."""
    return _LABELS.get(language.split("_", 1)[0], _LABELS["en"])


def _qty(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))


def _facts(job: MailJob, words: dict[str, str]) -> list[tuple[str, str]]:
    t, m = job.ticket, job.movement
    product = (
        f"{m.product_ref} — {m.product_label}" if m.product_label else m.product_ref
    )
    warehouse = (
        f"{m.warehouse_ref} — {m.warehouse_label}"
        if m.warehouse_label
        else m.warehouse_ref
    )
    return [
        (words["ticket"], t.ref),
        (words["type"], t.type.label),
        (words["severity"], t.severity.label),
        (words["category"], t.category.label),
        (words["subject"], t.subject),
        (words["product"], product),
        (words["quantity"], _qty(m.qty)),
        (words["warehouse"], warehouse),
    ]


def compose(job: MailJob, sender: Address) -> EmailMessage:
    """The complete message for one job, from ``sender``."""
    words = labels_for(job.language)
    facts = _facts(job, words)
    role = words[
        "role_assignee" if job.recipient.role == "assignee" else "role_contact"
    ]
    greeting = words["greeting"].format(
        name=one_line(job.recipient.name) or job.recipient.email
    )

    message = EmailMessage()
    message["Subject"] = one_line(f"[{job.ticket.ref}] {job.ticket.subject}")[:300]
    message["From"] = sender
    message["To"] = Address(
        display_name=one_line(job.recipient.name), addr_spec=job.recipient.email
    )
    message["Date"] = format_datetime(job.created_at)
    message["Message-ID"] = f"<{job.job_id}@{sender.domain or 'ticketstock'}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-TicketStock-Job"] = str(job.job_id)
    message["Content-Language"] = job.language.replace("_", "-")

    text_facts = "\n".join(f"{name}: {one_line(value)}" for name, value in facts)
    message.set_content(
        f"{greeting}\n\n{words['intro']} {role}\n\n{text_facts}\n\n"
        f"{job.ticket.content}\n\n{words['link']}: {job.ticket.url}\n"
    )
    rows = "".join(
        f'<tr><th align="left">{html.escape(name)}</th><td>{html.escape(value)}</td></tr>'
        for name, value in facts
    )
    content = html.escape(job.ticket.content).replace("\n", "<br>\n")
    url = html.escape(job.ticket.url, quote=True)
    message.add_alternative(
        f"<!doctype html><html><body><p>{html.escape(greeting)}</p>"
        f"<p>{html.escape(words['intro'])} {html.escape(role)}</p>"
        f"<table>{rows}</table><p>{content}</p>"
        f'<p><a href="{url}">{html.escape(words["link"])}</a></p></body></html>',
        subtype="html",
    )
    return message
