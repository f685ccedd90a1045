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

from .errors import MailJobBusy, MovementNotFound, TicketStockError

ATTEMPT: Final = "x-ts-attempt"
FIRST_FAILURE: Final = "x-ts-first-failure"
LAST_FAILURE: Final = "x-ts-last-failure"
STAGE: Final = "x-ts-stage"
ERROR_CLASS: Final = "x-ts-error-class"
REASON: Final = "x-ts-reason"
HTTP_STATUS: Final = "x-ts-http-status"
SMTP_CODE: Final = "x-ts-smtp-code"
BUSY: Final = "x-ts-busy"
REPLAY_COUNT: Final = "x-ts-replay-count"
REPLAYED_AT: Final = "x-ts-replayed-at"

_FAILURE_HEADERS: Final = (
    ATTEMPT,
    BUSY,
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
    """Park the message in the wait queue of ``tier``, then hand it back.

    ``counted`` is false for a wait that is not the job's failure (another sender
    holds its claim): it does not use up an attempt.
    """

    tier: int
    counted: bool = True


@dataclass(frozen=True)
class DeadLetter:
    """Give up: the message goes to the stage's dead-letter queue with its reason."""


Verdict = Ack | Retry | DeadLetter


# How many times a mail job may find its claim held by another sender before it is
# dead-lettered. Each wait is the longest tier, so with the default tiers this is
# far longer than any claim lives (TICKETSTOCK_LEDGER_CLAIM_TTL).
BUSY_LIMIT: Final = 20

# Headers RabbitMQ writes when it dead-letters or redelivers; a message we publish
# again must not carry them, or the next dead-lettering reports a stale cause.
_BROKER_HEADERS: Final = ("x-death", "x-delivery-count")
_BROKER_PREFIXES: Final = ("x-first-death-", "x-last-death-")


def attempts_so_far(headers: Mapping[str, Any]) -> int:
    """How many times handling this message has failed before, from our header."""
    return attempts_of(headers.get(ATTEMPT, 0))


def _without_broker_headers(headers: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in headers.items()
        if k not in _BROKER_HEADERS and not k.startswith(_BROKER_PREFIXES)
    }


def decide(
    error: BaseException,
    failed_before: int,
    tiers: int,
    busy_before: int = 0,
    *,
    missing_before: bool = False,
) -> Verdict:
    """The verdict for a handler that raised ``error``.

    A movement that does not exist gets one delayed retry, to absorb a replica or a
    transaction that lags, then is dropped (``missing_before``: the last failure was
    already a missing movement). Permanent errors go straight to the
    dead-letter queue. Transient errors and unexpected exceptions (a bug that may be
    fixed, a poison message) climb the retry tiers and are dead-lettered after the
    last one, so a poison message cannot block the queue forever. A mail job whose
    claim another sender holds waits in the longest tier without using an attempt,
    up to :data:`BUSY_LIMIT` times.
    """
    if isinstance(error, MailJobBusy):
        return (
            Retry(tiers - 1, counted=False)
            if busy_before < BUSY_LIMIT
            else DeadLetter()
        )
    if isinstance(error, MovementNotFound):
        return Ack("movement-missing") if missing_before else Retry(0)
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
    *,
    counted: bool = True,
) -> dict[str, Any]:
    """The message's headers updated with one more failure (or one more busy wait)."""
    now = now or datetime.now(UTC)
    stamp = now.isoformat(timespec="milliseconds")
    error_class, reason, http_status, smtp_code = error_fields(error)
    updated = _without_broker_headers(headers)
    if counted:
        updated[ATTEMPT] = attempts_so_far(headers) + 1
    else:
        updated[BUSY] = attempts_of(headers.get(BUSY)) + 1
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
        k: v
        for k, v in _without_broker_headers(headers).items()
        if k not in _FAILURE_HEADERS
    }
    kept[REPLAY_COUNT] = attempts_of(headers.get(REPLAY_COUNT)) + 1
    kept[REPLAYED_AT] = replayed_at.isoformat(timespec="milliseconds")
    return kept


def attempts_of(value: object) -> int:
    """A count from a header value of any type: 0 when it is not one, at most 1000.

    The cap keeps a forged or corrupted header from growing past what AMQP can encode.
    """
    if isinstance(value, bool) or not isinstance(value, int | str | bytes):
        return 0
    try:
        return min(max(0, int(value)), 1000)
    except ValueError:
        return 0
