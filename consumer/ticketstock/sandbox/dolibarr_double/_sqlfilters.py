"""The small part of Dolibarr's ``sqlfilters`` syntax the double understands.

A filter is one or more ``(t.<column>:<operator>:<value>)`` joined with ``and``;
values may be single-quoted. Columns are the table's, not the object's properties,
as Dolibarr requires. Anything else is refused rather than silently ignored, so a
client relying on a richer filter notices it is talking to the double.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, TypeVar

_CLAUSE: Final = re.compile(r"\(\s*t\.(\w+)\s*:\s*(=|!=|<>|<=|>=|<|>|like)\s*:(.*?)\)")
_JOINER: Final = re.compile(r"(?<=\))\s+and\s+(?=\()", re.IGNORECASE)

_Row = TypeVar("_Row")


class FilterError(ValueError):
    """A filter the double cannot evaluate."""


@dataclass(frozen=True, slots=True)
class Clause:
    column: str
    operator: str
    value: str

    def holds(self, actual: object) -> bool:
        text = "" if actual is None else str(actual)
        if self.operator == "like":
            pattern = re.escape(self.value).replace("%", ".*").replace("_", ".")
            return re.fullmatch(pattern, text, re.IGNORECASE) is not None
        if self.operator in ("=", "!=", "<>"):
            return (text == self.value) == (self.operator == "=")
        return _ordered(self.operator, text, self.value)


def _ordered(operator: str, left: str, right: str) -> bool:
    try:
        a, b = float(left), float(right)
    except ValueError:
        raise FilterError(f"cannot compare {left!r} {operator} {right!r}") from None
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[operator]


def parse(text: str, columns: Mapping[str, object]) -> tuple[Clause, ...]:
    """The clauses of ``text``, each on a column listed in ``columns``."""
    if not text.strip():
        return ()
    clauses = []
    for part in _JOINER.split(text.strip()):
        match = _CLAUSE.fullmatch(part.strip())
        if match is None:
            raise FilterError(f"unsupported sqlfilters clause {part!r}")
        column, operator, value = match.groups()
        if column not in columns:
            raise FilterError(f"unknown column t.{column}")
        clauses.append(Clause(column, operator, value.strip().strip("'")))
    return tuple(clauses)


def matcher(
    clauses: tuple[Clause, ...], columns: Mapping[str, Callable[[_Row], object]]
) -> Callable[[_Row], bool]:
    """A predicate true for the rows every clause holds for."""

    def holds(row: _Row) -> bool:
        return all(clause.holds(columns[clause.column](row)) for clause in clauses)

    return holds
