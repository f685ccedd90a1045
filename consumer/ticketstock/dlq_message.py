"""One dead-lettered message: what it says about itself, shown without its secrets.

A message lands in a dead-letter queue two ways. The worker gave up on it and
re-published it with why in the ``x-ts-*`` headers; or the broker dead-lettered it
from the work queue (``x-delivery-limit``) with why in ``x-death``. Its body may be
anything, invalid JSON included: that is often why it is there, so nothing here
trusts it.

Header values whose name says they are secret are masked, and so is the password of
any URL in a header; the body is kept exactly, for it must be re-published as it was.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

from aio_pika.abc import AbstractIncomingMessage

from .settlement import (
    ATTEMPT,
    ERROR_CLASS,
    FIRST_FAILURE,
    REASON,
    REPLAY_COUNT,
    attempts_of,
)
from .topology import STAGES, Stage

REDACTED: Final = "***"
_SECRET_NAME: Final = re.compile(r"key|pass|secret|token|authorization", re.IGNORECASE)
# AMQP's own x-death field; its name says "key" but it holds routing keys.
_NOT_SECRET: Final = frozenset({"routing-keys"})
_URL_PASSWORD: Final = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*):[^@/\s]*@", re.IGNORECASE
)

DeadLetteredBy = Literal["consumer", "broker"]


def redact_text(text: str) -> str:
    """The text with the password of every URL in it masked."""
    return _URL_PASSWORD.sub(rf"\g<head>:{REDACTED}@", text)


def redact(value: Any, name: str = "") -> Any:
    """A header value as plain JSON data, masked when its name says it is a secret."""
    if name not in _NOT_SECRET and _SECRET_NAME.search(name):
        return REDACTED
    if isinstance(value, Mapping):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return redact_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact_text(str(value))  # Decimal, the one other AMQP field type


@dataclass(frozen=True)
class DeadMessage:
    """One dead-lettered message as read, and what an operator needs to know of it."""

    stage: Stage
    position: int  # 1-based, in its queue when the pass read it
    body: bytes
    headers: dict[str, Any]
    message_id: str | None
    type: str | None
    app_id: str | None
    content_type: str | None
    dead_lettered_by: DeadLetteredBy
    reason: str
    error_class: str | None
    attempts: int | None
    failed_at: datetime | None
    event_id: str | None
    movement_id: int | None
    entity: int | None
    replay_count: int

    def age(self, now: datetime) -> timedelta | None:
        return None if self.failed_at is None else now - self.failed_at

    def summary(self, now: datetime) -> dict[str, Any]:
        """The facts ``list`` shows, as plain JSON data."""
        age = self.age(now)
        return {
            "stage": self.stage,
            "position": self.position,
            "event_id": self.event_id,
            "message_id": self.message_id,
            "movement_id": self.movement_id,
            "entity": self.entity,
            "dead_lettered_by": self.dead_lettered_by,
            "error_class": self.error_class,
            "reason": self.reason,
            "attempts": self.attempts,
            "failed_at": None if self.failed_at is None else self.failed_at.isoformat(),
            "age_s": None if age is None else round(age.total_seconds()),
            "replay_count": self.replay_count,
        }

    def record(self, now: datetime) -> dict[str, Any]:
        """Everything: the facts, the properties, the headers (secrets masked), the body.

        The body is kept exactly, as text when it is UTF-8 JSON and in base64
        otherwise, so that a message can be published again from its record.
        """
        encoding, body = _body_field(self.body)
        return {
            **self.summary(now),
            "type": self.type,
            "app_id": self.app_id,
            "content_type": self.content_type,
            "headers": redact(self.headers),
            "body_encoding": encoding,
            "body": body,
        }


def read_message(
    stage: Stage, position: int, incoming: AbstractIncomingMessage
) -> DeadMessage:
    """A delivery from a dead-letter queue, read without trusting its body."""
    headers = dict(incoming.headers or {})
    document = _json_object(incoming.body)
    death = _last_death(headers)
    movement = document.get("movement")
    failed_at = _timestamp(headers.get(FIRST_FAILURE))
    if death is None:
        by: DeadLetteredBy = "consumer"
        reason = redact_text(str(headers.get(REASON) or "(no reason recorded)"))
        error_class = str(headers[ERROR_CLASS]) if ERROR_CLASS in headers else None
    else:
        by, error_class = "broker", None
        reason = f"{death.get('reason', '?')} in queue {death.get('queue', '?')}"
        failed_at = failed_at or _timestamp(death.get("time"))
    event_id = document.get("event_id")
    return DeadMessage(
        stage=stage,
        position=position,
        body=incoming.body,
        headers=headers,
        message_id=incoming.message_id,
        type=incoming.type,
        app_id=incoming.app_id,
        content_type=incoming.content_type,
        dead_lettered_by=by,
        reason=reason,
        error_class=error_class,
        attempts=attempts_of(headers[ATTEMPT]) if ATTEMPT in headers else None,
        failed_at=failed_at,
        event_id=event_id if isinstance(event_id, str) else incoming.message_id,
        movement_id=_integer(
            movement.get("id") if isinstance(movement, dict) else None
        ),
        entity=_integer(document.get("entity")),
        replay_count=attempts_of(headers.get(REPLAY_COUNT)),
    )


def _json_object(body: bytes) -> dict[str, Any]:
    # A body that is not a JSON object is often why the message is here at all.
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return {}
    return document if isinstance(document, dict) else {}


def _body_field(body: bytes) -> tuple[Literal["json", "base64"], str]:
    try:
        text = body.decode("utf-8")
        json.loads(text)
    except (ValueError, RecursionError):
        return "base64", base64.b64encode(body).decode("ascii")
    return "json", text


def _last_death(headers: Mapping[str, Any]) -> Mapping[str, Any] | None:
    # The worker drops x-death whenever it re-publishes, so its presence means the
    # broker did the last dead-lettering; RabbitMQ puts the latest entry first.
    deaths = headers.get("x-death")
    if isinstance(deaths, list | tuple) and deaths and isinstance(deaths[0], Mapping):
        return deaths[0]
    return None


def _timestamp(value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Selection:
    """Which dead-lettered messages a command acts on: every criterion given holds."""

    stages: tuple[Stage, ...] = STAGES
    reason: str | None = None  # a part of the reason or of the error class, any case
    entity: int | None = None
    event_id: str | None = None  # the event id or the message id
    older_than: timedelta | None = None
    newer_than: timedelta | None = None

    def matches(self, message: DeadMessage, now: datetime) -> bool:
        if message.stage not in self.stages:
            return False
        if self.reason is not None:
            text = f"{message.reason} {message.error_class or ''}".casefold()
            if self.reason.casefold() not in text:
                return False
        if self.entity is not None and message.entity != self.entity:
            return False
        if self.event_id is not None:
            ids = {i.casefold() for i in (message.event_id, message.message_id) if i}
            if self.event_id.casefold() not in ids:
                return False
        if self.older_than is None and self.newer_than is None:
            return True
        age = message.age(now)
        if age is None:
            return False
        if self.older_than is not None and age < self.older_than:
            return False
        return self.newer_than is None or age <= self.newer_than


__all__ = [
    "REDACTED",
    "DeadMessage",
    "Selection",
    "read_message",
    "redact",
    "redact_text",
]
