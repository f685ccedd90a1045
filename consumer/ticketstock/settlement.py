"""What happens to a message after its handler ran: ack, retry later, or dead-letter.

:func:`decide` is the one place that turns a handler's outcome into a verdict, and
:func:`failure_headers` the one place that writes why into a message's headers.
Header names start with ``x-ts-`` so they never clash with RabbitMQ's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from .errors import MovementNotFound, TicketStockError

ATTEMPT: Final = "x-ts-attempt"
FIRST_FAILURE: Final = "x-ts-first-failure"
LAST_FAILURE: Final = "x-ts-last-failure"
STAGE: Final = "x-ts-stage"
ERROR_CLASS: Final = "x-ts-error-class"
REASON: Final = "x-ts-reason"
HTTP_STATUS: Final = "x-ts-http-status"
SMTP_CODE: Final = "x-ts-smtp-code"
REPLAY_COUNT: Final = "x-ts-replay-count"
REPLAYED_AT: Final = "x-ts-replayed-at"

_FAILURE_HEADERS: Final = (
    ATTEMPT,
    FIRST_FAILURE,
    LAST_FAILURE,
    STAGE,
    ERROR_CLASS,
    REASON,
    HTTP_STATUS,
    SMTP_CODE,
)


@dataclass(frozen=True)
class Ack:
    """Done: the message needs nothing more."""

    outcome: str


@dataclass(frozen=True)
class Retry:
    """Park the message in the wait queue of ``tier``, then hand it back."""

    tier: int


@dataclass(frozen=True)
class DeadLetter:
    """Give up: the message goes to the stage's dead-letter queue with its reason."""


Verdict = Ack | Retry | DeadLetter


def attempts_so_far(headers: Mapping[str, Any]) -> int:
    """How many times handling this message has failed before, from our header."""
    value = headers.get(ATTEMPT, 0)
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def decide(error: BaseException, failed_before: int, tiers: int) -> Verdict:
    """The verdict for a handler that raised ``error``.

    A movement that does not exist gets one delayed retry, to absorb a replica or a
    transaction that lags, then is dropped. Permanent errors go straight to the
    dead-letter queue. Transient errors and unexpected exceptions (a bug that may be
    fixed, a poison message) climb the retry tiers and are dead-lettered after the
    last one, so a poison message cannot block the queue forever.
    """
    if isinstance(error, MovementNotFound):
        return Retry(0) if failed_before == 0 else Ack("movement-missing")
    if isinstance(error, TicketStockError) and not error.transient:
        return DeadLetter()
    if failed_before < tiers:
        return Retry(failed_before)
    return DeadLetter()


def error_fields(error: BaseException) -> tuple[str, str, int | None, int | None]:
    """Class name, one-line reason, HTTP status and SMTP code of an error."""
    if isinstance(error, TicketStockError):
        return type(error).__name__, error.reason, error.http_status, error.smtp_code
    # An unexpected exception's text can hold anything; keep the class and one line.
    text = " ".join(str(error).split())[:300] or "(no message)"
    return type(error).__name__, f"unexpected error: {text}", None, None


def failure_headers(
    headers: Mapping[str, Any],
    error: BaseException,
    stage: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The message's headers updated with one more failure."""
    now = now or datetime.now(UTC)
    stamp = now.isoformat(timespec="milliseconds")
    error_class, reason, http_status, smtp_code = error_fields(error)
    updated = {k: v for k, v in headers.items() if k != "x-death"}
    updated[ATTEMPT] = attempts_so_far(headers) + 1
    updated.setdefault(FIRST_FAILURE, stamp)
    updated[LAST_FAILURE] = stamp
    updated[STAGE] = stage
    updated[ERROR_CLASS] = error_class
    updated[REASON] = reason
    for name, value in ((HTTP_STATUS, http_status), (SMTP_CODE, smtp_code)):
        if value is None:
            updated.pop(name, None)
        else:
            updated[name] = value
    return updated


def cleared_headers(
    headers: Mapping[str, Any], replayed_at: datetime
) -> dict[str, Any]:
    """Headers for a replayed message: failures forgotten, the replay stamped."""
    kept = {
        k: v for k, v in headers.items() if k not in _FAILURE_HEADERS and k != "x-death"
    }
    kept[REPLAY_COUNT] = attempts_of(headers.get(REPLAY_COUNT)) + 1
    kept[REPLAYED_AT] = replayed_at.isoformat(timespec="milliseconds")
    return kept


def attempts_of(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return 0
