"""The JSON documents Dolibarr 23 answers, shaped like the recorded samples.

Reads carry ids and numbers as strings; fields the double does not model keep the
value the samples show for a ticket or movement that never used them (mostly null).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final

DOLIBARR_VERSION: Final = "23.0.0-beta"

# The ticket dictionaries exactly as GET /setup/dictionary/ticket_* answered.
TICKET_TYPES: Final = {
    "COM": "Commercial question",
    "HELP": "Request for functionnal help",
    "ISSUE": "Issue or bug",
    "OTHER": "Other",
    "REQUEST": "Change or enhancement request",
}
TICKET_SEVERITIES: Final = {
    "BLOCKING": "Critical / blocking",
    "HIGH": "High",
    "LOW": "Low",
    "NORMAL": "Normal",
}
TICKET_CATEGORIES: Final = {"OTHER": "Other"}

# Only SUPPORTTEC was recorded with its row and label; other types answer null.
_CONTACT_TYPES: Final = {"SUPPORTTEC": ("42", "Utilisateur contact support")}

_STAGES: Final = ("get", "route", "negotiate", "authenticate", "validate", "call")


@dataclass(frozen=True, slots=True)
class Debug:
    """Where Restler says it failed: a source line and the stage it stopped at.

    ``named`` is the stage the source text names when it differs: a body that is
    not JSON fails in the ``get`` stage, yet Restler reports it "at setup stage".
    """

    source: str
    stage: str
    named: str | None = None

    def document(self) -> dict[str, Any]:
        at = _STAGES.index(self.stage)
        # Failing before content negotiation still runs it to format the error.
        negotiate = _STAGES.index("negotiate")
        failed = _STAGES[at : max(at, negotiate) + 1]
        return {
            "source": f"{self.source} at {self.named or self.stage} stage",
            "stages": {
                "success": list(_STAGES[:at]),
                "failure": [*failed, "message"],
            },
        }


BAD_JSON: Final = Debug("JsonFormat.php:154", "get", named="setup")
NO_ROUTE: Final = Debug("Routes.php:457", "route")
NO_API_KEY: Final = Debug("api_access.class.php:317", "authenticate")
BAD_API_KEY: Final = Debug("api_access.class.php:242", "authenticate")
TICKET_NOT_FOUND: Final = Debug("api_tickets.class.php:149", "call")
TICKET_NOT_CREATED: Final = Debug("api_tickets.class.php:371", "call")
TICKET_FIELD_MISSING: Final = Debug("api_tickets.class.php:516", "call")

NO_API_KEY_TEXT: Final = (
    "Failed to login to API. Neither parameter 'HTTP_DOLAPIKEY' nor "
    "'Authentication: Bearer' found on HTTP header (and no parameter DOLAPIKEY in URL)."
)


def bad_api_key_text(entity: int) -> str:
    return (
        "Error user not valid (not found with api key or bad status or bad validity"
        f" dates) (conf->entity={entity})"
    )


def error_body(
    status: int,
    text: str | None = None,
    *,
    details: tuple[str, ...] = (),
    debug: Debug | None = None,
) -> dict[str, Any]:
    """Restler's error document: the reason phrase, then the text when there is one.

    ``details`` become the numbered keys Dolibarr adds from the object's errors.
    The debug block is only written for errors whose source line was recorded.
    """
    phrase = HTTPStatus(status).phrase
    error: dict[str, Any] = {
        "code": status,
        "message": f"{phrase}: {text}" if text else phrase,
    }
    for index, detail in enumerate(details):
        error[str(index)] = detail
    if debug is None:
        return {"error": error}
    return {"error": error, "debug": debug.document()}


def status_body(now: float) -> dict[str, Any]:
    return {
        "success": {
            "code": 200,
            "dolibarr_version": DOLIBARR_VERSION,
            "access_locked": "0",
            "environment": "non-production",
            "timestamp_now_utc": int(now),
            "timestamp_php_tz": "UTC",
            "date_tz": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now)),
        }
    }


def contact_type(code: str) -> tuple[str | None, str | None]:
    """The contact type's row id and label, null when the samples never showed it."""
    return _CONTACT_TYPES.get(code, (None, None))


def number_text(value: float) -> str:
    """A quantity as Dolibarr prints a float column: no trailing zeros."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
