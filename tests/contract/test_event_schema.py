"""The event corpus: every valid example passes, every invalid one fails with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ticketstock import contract
from ticketstock.errors import InvalidMessage
from ticketstock.models import StockMovementEvent

CORPUS = Path(__file__).parent / "corpus"
VALID = sorted((CORPUS / "valid").glob("*.json"))
INVALID = sorted((CORPUS / "invalid").glob("*.json"))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_examples_pass_the_schema_and_parse(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    contract.validate(contract.EVENT, document)
    event = StockMovementEvent.model_validate(document)
    assert event.movement.id == document["movement"]["id"]


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_examples_are_rejected_with_a_one_line_reason(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    with pytest.raises(InvalidMessage) as caught:
        contract.validate(contract.EVENT, document)
    assert caught.value.reason.startswith("stock-movement-event.v1 invalid at ")
    assert "\n" not in caught.value.reason
    assert len(caught.value.reason) <= 500


def test_corpus_covers_both_sides() -> None:
    assert len(VALID) >= 5
    assert len(INVALID) >= 10


def test_unicode_label_survives_validation_and_parsing() -> None:
    document = json.loads((CORPUS / "valid" / "unicode_labels.json").read_text("utf-8"))
    event = StockMovementEvent.model_validate(document)
    assert event.movement.product.label == "Chaise pliante « Été » — 折りたたみ椅子 🪑"


def test_decimal_quantity_is_kept_exactly() -> None:
    document = json.loads(
        (CORPUS / "valid" / "decimal_quantity.json").read_text("utf-8")
    )
    event = StockMovementEvent.model_validate(document)
    assert str(event.movement.qty) == "2.375"


def test_body_that_is_not_json_or_not_utf8_is_invalid() -> None:
    with pytest.raises(InvalidMessage, match="is not JSON"):
        contract.decode_json(b"{not json", contract.EVENT)
    with pytest.raises(InvalidMessage, match="is not UTF-8"):
        contract.decode_json(b"\xff\xfe{}", contract.EVENT)


@pytest.mark.parametrize("name", contract.SCHEMA_NAMES)
def test_every_schema_is_itself_valid_and_loads_from_the_package(name: str) -> None:
    validator = contract.validator(name)
    assert validator.schema["$id"].startswith("urn:ticketstock:schema:")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"qty": NaN}', "NaN is not a JSON number"),
        (b'{"qty": Infinity}', "Infinity is not a JSON number"),
        (b"[" * 100_000 + b"]" * 100_000, "RecursionError"),
        (b'{"qty": ' + b"9" * 5000 + b"}", "ValueError"),
        (b'{"label": "\\ud800"}', "lone surrogate"),
        (b" " * (contract.MAX_MESSAGE_BYTES + 1), "over 1048576"),
    ],
    ids=[
        "nan",
        "infinity",
        "deep-nesting",
        "huge-integer",
        "lone-surrogate",
        "oversized",
    ],
)
def test_bodies_json_cannot_carry_faithfully_are_invalid_at_once(
    body: bytes, reason: str
) -> None:
    with pytest.raises(InvalidMessage, match=reason):
        contract.decode_json(body, contract.EVENT)
