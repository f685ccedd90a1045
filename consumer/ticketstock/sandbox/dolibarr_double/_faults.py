"""Faults the double injects in front of its Dolibarr API, consumed request by request.

Control paths under ``/_double/`` never see them: a test must always be able to
reach the double to clear what it set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar


@dataclass(slots=True)
class Rule:
    """Applies to matching requests while ``remaining`` is above 0 (None: always)."""

    remaining: int | None
    path: str | None
    method: str | None

    def matches(self, method: str, path: str, template: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.path is None or self.path in (path, template)

    def consume(self) -> None:
        if self.remaining is not None:
            self.remaining -= 1

    @property
    def spent(self) -> bool:
        return self.remaining is not None and self.remaining <= 0

    def describe(self) -> dict[str, Any]:
        return {"remaining": self.remaining, "path": self.path, "method": self.method}


_R = TypeVar("_R", bound=Rule)


@dataclass(slots=True)
class Failure(Rule):
    """Answer ``status`` with Dolibarr's error body instead of serving the request."""

    status: int = 503
    message: str | None = None
    retry_after: float | None = None

    def describe(self) -> dict[str, Any]:
        return {
            **Rule.describe(self),
            "status": self.status,
            "message": self.message,
            "retry_after": self.retry_after,
        }


@dataclass(slots=True)
class Hang(Rule):
    """Hold the request ``seconds`` before serving it, so a client times out."""

    seconds: float = 30.0

    def describe(self) -> dict[str, Any]:
        return {**Rule.describe(self), "seconds": self.seconds}


@dataclass(slots=True)
class Decision:
    """What the faults ask of one request: wait first, then maybe fail."""

    delay_s: float
    hang_s: float
    failure: Failure | None


class FaultPlan:
    """The faults currently armed; the first matching rule of each kind wins."""

    def __init__(self) -> None:
        self.delay_s = 0.0
        self.ref_collisions = 0
        self._failures: list[Failure] = []
        self._hangs: list[Hang] = []

    def clear(self) -> None:
        self.delay_s = 0.0
        self.ref_collisions = 0
        self._failures.clear()
        self._hangs.clear()

    def add_failure(self, failure: Failure) -> None:
        self._failures.append(failure)

    def add_hang(self, hang: Hang) -> None:
        self._hangs.append(hang)

    def decide(self, method: str, path: str, template: str) -> Decision:
        hang = _take(self._hangs, method, path, template)
        failure = _take(self._failures, method, path, template)
        return Decision(
            delay_s=self.delay_s,
            hang_s=hang.seconds if hang is not None else 0.0,
            failure=failure,
        )

    def take_ref_collision(self) -> bool:
        if self.ref_collisions <= 0:
            return False
        self.ref_collisions -= 1
        return True

    def describe(self) -> dict[str, Any]:
        return {
            "delay_ms": round(self.delay_s * 1000, 3),
            "failures": [rule.describe() for rule in self._failures],
            "hangs": [rule.describe() for rule in self._hangs],
            "ref_collisions": self.ref_collisions,
        }


def _take(rules: list[_R], method: str, path: str, template: str) -> _R | None:
    """Consume the first rule matching the request, dropping it once spent."""
    for index, rule in enumerate(rules):
        if rule.matches(method, path, template):
            rule.consume()
            if rule.spent:
                del rules[index]
            return rule
    return None
