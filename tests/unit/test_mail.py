"""Recipients, mail job ids and the composed email."""

from __future__ import annotations

import email
import email.policy
from email.headerregistry import Address
from typing import Any

from tests import factories
from ticketstock.mail import compose
from ticketstock.mailjobs import mail_jobs, recipients
from ticketstock.models import MailJob, ModuleConfig, StockMovementEvent, TicketCreated


def _ticket() -> TicketCreated:
    return TicketCreated(
        id=41,
        ref="TS2612-0041",
        track_id="ts-track",
        created=True,
        entity=1,
        subject="Return RET-LOT",
        message="Body\nsecond line",
        fk_user_assign=5,
        contact_ids=(5, 6),
    )


def _jobs(config: dict[str, Any] | None = None, **movement: Any) -> list[MailJob]:
    event = StockMovementEvent.model_validate(factories.event(**movement))
    parsed = ModuleConfig.model_validate(config or factories.module_config())
    return mail_jobs(event, parsed, _ticket(), "ts-track")


def test_recipients_are_the_assignee_and_members_with_a_valid_distinct_address() -> (
    None
):
    config = ModuleConfig.model_validate(factories.module_config())
    chosen = recipients(config)
    assert [(r.user_id, r.email, r.role) for r in chosen] == [
        (5, "alice@example.com", "assignee"),
        (6, "bob@example.com", "contact"),
    ]


def test_job_ids_depend_on_the_movement_and_address_not_on_the_event() -> None:
    first = _jobs()
    again = _jobs()  # a new event id for the same movement: a replay
    other = _jobs(movement_id=13)
    assert [j.job_id for j in first] == [j.job_id for j in again]
    assert {j.job_id for j in first}.isdisjoint({j.job_id for j in other})


def test_no_assignee_and_no_members_means_no_jobs() -> None:
    config = factories.module_config(assignee=None, contacts=[])
    assert _jobs(config) == []


def test_composed_mail_carries_every_fact_and_a_deterministic_message_id() -> None:
    job = _jobs()[0]
    message = compose(job, Address("TicketStock", "ticketstock", "erp.example.com"))
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    text = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]

    assert parsed["Message-ID"] == f"<{job.job_id}@erp.example.com>"
    assert parsed["Subject"] == "[TS2612-0041] Return RET-LOT"
    assert parsed["To"] == "Alice Tech <alice@example.com>"
    for fact in (
        "TS2612-0041",
        "Issue or bug",
        "High",
        "Other",
        "RET-LOT",
        "Returned chair",
        "Quantity: 5",
        "WH-RET-A",
        "Returns A",
        "https://erp.example.com/ticket/card.php?track_id=ts-track",
    ):
        assert fact in text
    assert 'href="https://erp.example.com/ticket/card.php?track_id=ts-track"' in html


def test_a_line_break_in_a_label_cannot_add_a_header() -> None:
    config = factories.module_config()
    config["assignee"]["name"] = "Eve\r\nBcc: victim@example.com"
    job = _jobs(
        config, product={"id": 6, "ref": "R1", "label": "x\r\nX-Injected: yes"}
    )[0]
    raw = compose(job, Address("TicketStock", "ts", "example.com")).as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert parsed["X-Injected"] is None
    assert "Eve Bcc: victim@example.com" in parsed["To"]


def test_html_part_escapes_markup_from_dolibarr() -> None:
    ticket_text = "<script>alert(1)</script>"
    job = _jobs(product={"id": 6, "ref": "R1", "label": ticket_text})[0]
    raw = compose(job, Address("TicketStock", "ts", "example.com")).as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    html = parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_french_entity_gets_french_labels() -> None:
    job = _jobs(factories.module_config(language="fr_FR"))[0]
    text = compose(job, Address("T", "t", "example.com")).get_body(("plain",))
    assert text is not None and "Quantité: 5" in text.get_content()


def test_a_ticket_longer_than_a_mail_job_allows_still_gives_valid_jobs() -> None:
    event = StockMovementEvent.model_validate(factories.event())
    config = ModuleConfig.model_validate(
        factories.module_config(
            ticket_url_base="https://ërp.exämple.com/ticket card.php"
        )
    )
    long = TicketCreated(
        id=41,
        ref="TS2612-0041",
        track_id="ts-track",
        created=True,
        entity=1,
        subject="S" * 300,
        message="M" * 70000,
        fk_user_assign=5,
        contact_ids=(),
    )
    [job, *_] = mail_jobs(event, config, long, "ts-track")
    assert len(job.ticket.subject) == 255
    assert len(job.ticket.content) == 65000
    assert job.ticket.url == (
        "https://xn--rp-gja.xn--exmple-cua.com/ticket%20card.php?track_id=ts-track"
    )


def test_an_address_that_needs_smtputf8_is_not_a_recipient() -> None:
    config = factories.module_config(
        contacts=[factories.user(6, "José", "josé@example.com")]
    )
    parsed = ModuleConfig.model_validate(config)
    assert [r.email for r in recipients(parsed)] == ["alice@example.com"]


def test_bidirectional_controls_are_removed_from_headers() -> None:
    config = factories.module_config()
    config["assignee"]["name"] = "Eve \u202emoc.elpmaxe@eve"
    job = _jobs(config)[0]
    message = compose(job, Address("TicketStock", "ts", "example.com"))
    assert "\u202e" not in str(message["To"])
