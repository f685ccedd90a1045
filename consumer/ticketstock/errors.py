"""The project's exceptions: one root, split by what the caller must do next.

A *transient* error is worth another attempt later (the message goes to a wait
queue); a *permanent* one will fail the same way every time (the message is
dead-lettered at once). Adapters translate foreign exceptions into these at one
seam each, chaining the original with ``from``.
"""

from __future__ import annotations


class TicketStockError(Exception):
    """Root of every error this package raises on purpose."""

    transient: bool = False

    def __init__(
        self,
        reason: str,
        *,
        http_status: int | None = None,
        smtp_code: int | None = None,
    ) -> None:
        # One line, no secrets: the reason travels in dead-letter headers and logs.
        self.reason = " ".join(reason.split())[:500]
        self.http_status = http_status
        self.smtp_code = smtp_code
        super().__init__(self.reason)


class TransientError(TicketStockError):
    """May succeed if tried again later."""

    transient = True


class PermanentError(TicketStockError):
    """Will fail the same way every time; dead-letter the message."""


class InvalidMessage(PermanentError):
    """A message that breaks its schema or cannot be decoded."""


class SettingsError(TicketStockError):
    """The service's own settings are missing or wrong; it cannot start."""


class ConfigurationError(PermanentError):
    """The entity's TicketStock configuration in Dolibarr cannot make a ticket."""


class ConfigurationMissing(ConfigurationError):
    """The entity has no usable TicketStock configuration in Dolibarr."""


class ContractViolation(PermanentError):
    """A document this service built breaks its own schema: a bug, not bad input."""


class DolibarrUnavailable(TransientError):
    """Dolibarr could not be reached or answered 408, 429 or 5xx."""

    def __init__(
        self,
        reason: str,
        *,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason, http_status=http_status)
        self.retry_after = retry_after


class DolibarrRejected(PermanentError):
    """Dolibarr refused the request (4xx other than 404 on a movement)."""


class DolibarrAuthError(DolibarrRejected):
    """Dolibarr refused the API key or its rights: an operator must act."""


class MovementNotFound(TicketStockError):
    """The movement no longer exists: Dolibarr rolled it back after its trigger."""


class SmtpTemporaryError(TransientError):
    """The SMTP server answered 4xx or the connection failed."""


class SmtpPermanentError(PermanentError):
    """The SMTP server answered 5xx or refused a recipient for good."""


class MailJobBusy(TransientError):
    """Another sender holds this mail job's claim; try again after it settles."""
