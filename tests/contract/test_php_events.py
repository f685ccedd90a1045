"""The Dolibarr module's events validate against the schema the consumer reads.

One contract, two languages: publisher_plugin/tests/emit_events.php runs the module's
event builder over what the STOCK_MOVEMENT trigger really received on Dolibarr 23
(../shared/dolibarr-api-samples) and over edge cases, and prints one event per line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schemas" / "stock-movement-event.v1.schema.json"
EMITTER = ROOT / "publisher_plugin" / "tests" / "emit_events.php"
SAMPLES = ROOT.parent / "shared" / "dolibarr-api-samples"
PHP = shutil.which("php")

RECORDED_IDS = set(range(3, 19))
MANUAL_MOVES = {3, 4, 5, 6, 7, 8, 16, 18}

pytestmark = pytest.mark.skipif(
    PHP is None, reason="php is not installed, so the module's side cannot run"
)


@pytest.fixture(scope="module")
def events() -> dict[int, dict[str, Any]]:
    """The printed events, by movement id."""
    assert PHP is not None
    run = subprocess.run(
        [PHP, str(EMITTER)],
        capture_output=True,
        check=True,
        encoding="utf-8",
        timeout=60,
    )
    documents = [json.loads(line) for line in run.stdout.splitlines() if line]
    by_id = {document["movement"]["id"]: document for document in documents}
    assert len(by_id) == len(documents), "two events for one movement"
    return by_id


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(
        schema, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@pytest.fixture
def recorded(events: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Events built from the recorded trigger payloads."""
    assert SAMPLES.is_dir(), f"recorded trigger payloads not found in {SAMPLES}"
    return {key: value for key, value in events.items() if key in RECORDED_IDS}


def test_every_event_the_module_builds_is_valid(
    events: dict[int, dict[str, Any]], validator: Draft202012Validator
) -> None:
    problems = [
        f"movement {movement_id}: {'/'.join(map(str, error.path))}: {error.message}"
        for movement_id, event in events.items()
        for error in validator.iter_errors(event)
    ]
    assert problems == []
    assert len({event["event_id"] for event in events.values()}) == len(events)


def test_every_recorded_payload_gives_one_event(
    recorded: dict[int, dict[str, Any]],
) -> None:
    assert set(recorded) == RECORDED_IDS


def test_quantities_are_numbers_whatever_type_dolibarr_gave(
    events: dict[int, dict[str, Any]], recorded: dict[int, dict[str, Any]]
) -> None:
    for event in events.values():
        qty = event["movement"]["qty"]
        assert isinstance(qty, int | float)
        assert not isinstance(qty, bool)
    assert recorded[16]["movement"]["qty"] == 2  # "2", a string, on a shipment cancel
    assert recorded[3]["movement"]["qty"] == -3
    assert events[900002]["movement"]["qty"] == 2.375  # "2.37500000"
    assert events[900003]["movement"]["qty"] == 0.125


def test_manual_moves_transfers_and_reversals_have_no_origin(
    recorded: dict[int, dict[str, Any]],
) -> None:
    for movement_id in MANUAL_MOVES:
        assert recorded[movement_id]["movement"]["origin"] is None, movement_id


def test_document_origins_keep_their_type_and_lines(
    events: dict[int, dict[str, Any]], recorded: dict[int, dict[str, Any]]
) -> None:
    assert recorded[15]["movement"]["origin"] == {
        "type": "shipping",
        "id": 1,
        "line_id": 1,
        "origin_line_id": 1,
    }
    assert events[900005]["movement"]["origin"] == {
        "type": "rental@rentalmod",
        "id": 12,
        "line_id": 7,
        "origin_line_id": None,
    }
    assert events[900004]["movement"]["origin"] is None
    assert events[900007]["movement"]["origin"] is None
    assert events[900007]["movement"]["project_id"] == 9


def test_recorded_facts_survive_normalisation(
    recorded: dict[int, dict[str, Any]],
) -> None:
    lot = recorded[12]["movement"]
    assert lot["batch"] == "LOT-2026-A"
    assert lot["product"] == {"id": 6, "ref": "RET-LOT", "label": None}
    transfer_in = recorded[4]["movement"]
    assert transfer_in["warehouse"] == {"id": 3, "ref": "WH-RET-B"}
    assert transfer_in["product"]["id"] == 2  # "2", a string, from the UI
    assert transfer_in["date"] == "2026-12-04T15:27:58Z"


def test_unicode_text_arrives_unchanged(events: dict[int, dict[str, Any]]) -> None:
    movement = events[900001]["movement"]
    assert movement["product"]["label"] == "Chaise pliante « Été » — 折りたたみ椅子 🪑"
    assert movement["label"] == "Retour « Été » — 折りたたみ椅子 🪑"
    assert len(events[900008]["movement"]["label"]) == 255
