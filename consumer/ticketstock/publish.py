"""``ticketstock publish``: put stock-movement events on the broker by hand.

For injecting a test event or re-sending one that a Dolibarr could not publish.
Every event is validated against the schema first; nothing is published from a
file with an invalid event in it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from . import contract
from .broker import Broker
from .errors import InvalidMessage
from .settings import Settings
from .topology import EVENT_ROUTING_KEY


def read_events(path: Path) -> list[dict[str, Any]]:
    """The events of a file holding one JSON object, a JSON array, or JSON lines."""
    try:
        text = (
            sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        )
    except UnicodeDecodeError as exc:
        raise InvalidMessage(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc
    stripped = text.strip()
    try:
        document = json.loads(stripped)
        documents = document if isinstance(document, list) else [document]
    except json.JSONDecodeError:
        documents = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InvalidMessage(f"{path}:{number}: not JSON: {exc.msg}") from exc
    for index, event in enumerate(documents, start=1):
        try:
            contract.validate(contract.EVENT, event)
        except InvalidMessage as exc:
            raise InvalidMessage(f"{path} event {index}: {exc.reason}") from exc
    return documents


async def publish_files(settings: Settings, paths: list[Path]) -> int:
    events = [event for path in paths for event in read_events(path)]
    if not events:
        raise InvalidMessage("no event in " + ", ".join(str(p) for p in paths))
    broker = Broker(settings, name="ticketstock publish")
    await broker.connect()
    try:
        for event in events:
            body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
            await broker.publish(
                broker.topology.events_exchange,
                EVENT_ROUTING_KEY,
                body,
                message_id=event["event_id"],
                type_=contract.EVENT,
            )
            print(
                f"published event_id={event['event_id']} movement={event['movement']['id']}"
            )
    finally:
        await broker.close()
    return 0
