"""How a handler's outcome becomes a verdict, and what the headers then say."""

from __future__ import annotations

from datetime import UTC, datetime

from ticketstock import settlement as s
from ticketstock.errors import (
    DolibarrAuthError,
    DolibarrUnavailable,
    InvalidMessage,
    MailJobBusy,
    MovementNotFound,
    SmtpPermanentError,
)


def test_transient_errors_climb_the_tiers_then_are_dead_lettered() -> None:
    error = DolibarrUnavailable("down", http_status=503)
    assert s.decide(error, 0, 3) == s.Retry(0)
    assert s.decide(error, 2, 3) == s.Retry(2)
    assert s.decide(error, 3, 3) == s.DeadLetter()


def test_permanent_errors_are_dead_lettered_at_once() -> None:
    assert s.decide(InvalidMessage("bad"), 0, 3) == s.DeadLetter()
    assert s.decide(DolibarrAuthError("401", http_status=401), 0, 3) == s.DeadLetter()
    assert s.decide(SmtpPermanentError("550", smtp_code=550), 0, 3) == s.DeadLetter()


def test_unexpected_exceptions_are_retried_like_transient_ones() -> None:
    assert s.decide(KeyError("boom"), 0, 2) == s.Retry(0)
    assert s.decide(KeyError("boom"), 2, 2) == s.DeadLetter()


def test_a_missing_movement_gets_one_delayed_retry_then_is_acked() -> None:
    gone = MovementNotFound("gone")
    assert s.decide(gone, 0, 3) == s.Retry(0)
    assert s.decide(gone, 1, 3, missing_before=True) == s.Ack("movement-missing")
    # After an outage the movement is still owed its one delayed retry.
    assert s.decide(gone, 2, 3, missing_before=False) == s.Retry(0)


def test_failure_headers_count_attempts_and_keep_the_first_failure_time() -> None:
    first = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    later = datetime(2026, 12, 4, 10, 5, tzinfo=UTC)
    error = DolibarrUnavailable("Dolibarr create answered 503", http_status=503)
    once = s.failure_headers({"x-death": [{}], "keep": 1}, error, "tickets", first)
    twice = s.failure_headers(
        once, SmtpPermanentError("550 no", smtp_code=550), "mail", later
    )

    assert once[s.ATTEMPT] == 1
    assert once[s.HTTP_STATUS] == 503
    assert "x-death" not in once
    assert once["keep"] == 1
    assert twice[s.ATTEMPT] == 2
    assert twice[s.FIRST_FAILURE] == "2026-12-04T10:00:00.000+00:00"
    assert twice[s.LAST_FAILURE] == "2026-12-04T10:05:00.000+00:00"
    assert twice[s.SMTP_CODE] == 550
    assert s.HTTP_STATUS not in twice
    assert twice[s.ERROR_CLASS] == "SmtpPermanentError"
    assert twice[s.STAGE] == "mail"


def test_an_unexpected_error_reason_is_one_line_and_names_the_class() -> None:
    headers = s.failure_headers({}, ValueError("line one\nline two"), "tickets")
    assert headers[s.ERROR_CLASS] == "ValueError"
    assert headers[s.REASON] == "unexpected error: line one line two"


def test_replayed_headers_forget_failures_and_stamp_the_replay() -> None:
    failed = s.failure_headers({"other": "x"}, InvalidMessage("bad"), "tickets")
    replayed = s.cleared_headers(failed, datetime(2026, 12, 5, tzinfo=UTC))
    again = s.cleared_headers(replayed, datetime(2026, 12, 6, tzinfo=UTC))
    assert s.ATTEMPT not in replayed
    assert s.REASON not in replayed
    assert replayed["other"] == "x"
    assert replayed[s.REPLAY_COUNT] == 1
    assert again[s.REPLAY_COUNT] == 2


def test_attempts_header_tolerates_garbage() -> None:
    assert s.attempts_so_far({s.ATTEMPT: "x"}) == 0
    assert s.attempts_so_far({s.ATTEMPT: -4}) == 0
    assert s.attempts_so_far({s.ATTEMPT: 2}) == 2


def test_a_busy_mail_job_waits_in_the_longest_tier_without_using_an_attempt() -> None:
    busy = MailJobBusy("held by another sender")
    verdict = s.decide(busy, failed_before=2, tiers=3, busy_before=0)
    assert verdict == s.Retry(2, counted=False)
    headers = s.failure_headers({s.ATTEMPT: 2}, busy, "mail", counted=False)
    assert headers[s.ATTEMPT] == 2
    assert headers[s.BUSY] == 1
    assert s.decide(busy, 0, 3, busy_before=s.BUSY_LIMIT) == s.DeadLetter()


def test_broker_death_headers_are_not_carried_into_a_republished_message() -> None:
    broker_said = {
        "x-death": [{"reason": "delivery_limit"}],
        "x-delivery-count": 20,
        "x-first-death-reason": "delivery_limit",
        "x-last-death-queue": "ts.tickets",
        "x-ts-stage": "tickets",
    }
    failed = s.failure_headers(broker_said, InvalidMessage("bad"), "tickets")
    replayed = s.cleared_headers(broker_said, datetime(2026, 12, 5, tzinfo=UTC))
    for headers in (failed, replayed):
        assert not [
            k for k in headers if k.startswith(("x-death", "x-first", "x-last"))
        ]
        assert "x-delivery-count" not in headers
