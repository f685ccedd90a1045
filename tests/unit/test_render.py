"""Subject and content rendering, and the track id."""

from __future__ import annotations

from decimal import Decimal

from tests import factories
from ticketstock.models import ModuleConfig, StockMovementEvent
from ticketstock.render import (
    fill,
    format_qty,
    render_content,
    render_subject,
    substitutions,
    track_id,
)


def _values(**movement: object) -> dict[str, str]:
    event = StockMovementEvent.model_validate(factories.event(**movement))  # type: ignore[arg-type]
    config = ModuleConfig.model_validate(factories.module_config())
    warehouse = config.watched(2)
    assert warehouse is not None
    return substitutions(event, config, warehouse, "ts-track")


def test_track_id_is_stable_and_depends_on_every_part() -> None:
    secret = b"0123456789abcdef"
    one = track_id(secret, "inst", 1, 12)
    assert one == track_id(secret, "inst", 1, 12)
    assert one.startswith("ts") and len(one) == 42
    others = {
        track_id(b"another-secret-value", "inst", 1, 12),
        track_id(secret, "inst2", 1, 12),
        track_id(secret, "inst", 2, 12),
        track_id(secret, "inst", 1, 13),
    }
    assert one not in others and len(others) == 4


def test_keys_are_filled_in_one_pass_and_unknown_keys_stay() -> None:
    values = {"__A__": "__B__", "__B__": "b"}
    assert (
        fill("__A__ __B__ __UNKNOWN__ __REF__", values) == "__B__ b __UNKNOWN__ __REF__"
    )


def test_stock_and_dolibarr_keys_are_filled() -> None:
    values = _values(qty=2.5)
    subject = render_subject(
        "Return __TICKETSTOCK_PRODUCT_REF__ x__TICKETSTOCK_QTY__", values
    )
    content = render_content(
        "__TICKET_SUBJECT__ / __TICKETSTOCK_ORIGIN__ / __MYCOMPANY_NAME__ / "
        "__DAY__-__MONTH__-__YEAR__ / __TICKET_TYPE__ / __TICKETSTOCK_TICKET_URL__ / __REF__",
        values,
        subject,
    )
    assert subject == "Return RET-LOT x2.5"
    assert content == (
        "Return RET-LOT x2.5 / shipping #4 / Example Returns Ltd / 04-12-2026 / "
        "Issue or bug / https://erp.example.com/ticket/card.php?track_id=ts-track / __REF__"
    )


def test_subject_is_one_line_and_at_most_255_characters() -> None:
    values = _values(label="line\nbreak")
    subject = render_subject("__TICKETSTOCK_MOVEMENT_LABEL__ " + "x" * 300, values)
    assert "\n" not in subject and len(subject) == 255


def test_manual_movement_has_empty_origin_and_batch() -> None:
    values = _values(origin=None, batch=None)
    assert values["__TICKETSTOCK_ORIGIN__"] == ""
    assert values["__TICKETSTOCK_BATCH__"] == ""


def test_quantities_lose_trailing_zeros_only() -> None:
    assert format_qty(Decimal("5.000")) == "5"
    assert format_qty(Decimal("2.50")) == "2.5"
    assert format_qty(Decimal("100")) == "100"
    assert format_qty(Decimal("-0.125")) == "-0.125"
