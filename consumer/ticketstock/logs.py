"""Logging set-up for the entry point: text for people, JSON lines for collectors.

Log calls pass their fields both in the message (``key=value``) and in ``extra``;
the JSON formatter emits those extras as top-level keys.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                document[key] = value
        if record.exc_info:
            document["traceback"] = self.formatException(record.exc_info)
        return json.dumps(document, default=str, ensure_ascii=False)


def configure(level: str, fmt: str) -> None:
    """Configure the ``ticketstock`` loggers once, writing to standard error.

    Short commands (publish, topology, check, dlq) pass WARNING unless DEBUG was
    asked for: their output is what they print, not lifecycle lines.
    """
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("ticketstock").setLevel(level)
    # aiormq logs each failed reconnect at ERROR with a traceback; the service says
    # the same once per attempt at WARNING, as a retry it recovers from.
    logging.getLogger("aiormq").setLevel(logging.CRITICAL)
