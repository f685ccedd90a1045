"""The mail stage: deliver one mail job, exactly once as far as the ledger can tell."""

from __future__ import annotations

import logging
from email.headerregistry import Address

from email_validator import EmailNotValidError, validate_email

from . import contract
from .errors import MailJobBusy, PermanentError
from .ledger import Ledger, LedgerUnavailable
from .mail import compose, one_line
from .metrics import Metrics
from .models import MailJob
from .transport import MailTransport
from .worker import Delivery

log = logging.getLogger(__name__)


class MailHandler:
    """Handles the ``mail`` stage's deliveries."""

    def __init__(
        self,
        transport: MailTransport,
        ledger: Ledger,
        sender_address: str,
        sender_name: str,
        metrics: Metrics,
    ) -> None:
        self._transport = transport
        self._ledger = ledger
        self._metrics = metrics
        local, _, domain = sender_address.rpartition("@")
        self._sender = Address(
            display_name=one_line(sender_name), username=local, domain=domain
        )

    async def __call__(self, delivery: Delivery) -> str:
        document = contract.decode_json(delivery.body, contract.MAIL_JOB)
        contract.validate(contract.MAIL_JOB, document)
        job = MailJob.model_validate(document)
        job_id = str(job.job_id)
        delivery.fields.update(
            job_id=job_id,
            event_id=str(job.event_id),
            entity=job.entity,
            movement=job.movement.id,
            ticket=job.ticket.ref,
            recipient_user=job.recipient.user_id,
        )
        try:
            validate_email(
                job.recipient.email, check_deliverability=False, allow_smtputf8=False
            )
        except EmailNotValidError as exc:
            raise PermanentError(
                f"mail job {job_id} has an unusable address: {exc}"
            ) from exc
        try:
            message = compose(job, self._sender)
        except Exception as exc:
            raise PermanentError(
                f"mail job {job_id} cannot be composed: {type(exc).__name__}: {exc}"
            ) from exc

        claim = await self._ledger.claim(job_id)
        if claim == "sent":
            self._metrics.mails.labels("skipped").inc()
            return "mail-already-sent"
        if claim == "busy":
            raise MailJobBusy(f"mail job {job_id} is being sent by another sender")

        try:
            await self._transport.send(message, job.recipient.email)
        except BaseException as exc:
            await self._release_keeping(job_id)
            failed = isinstance(exc, PermanentError)
            self._metrics.mails.labels("failed" if failed else "retried").inc()
            raise
        await self._ledger.mark_sent(job_id)
        self._metrics.mails.labels("sent").inc()
        return "mail-sent"

    async def _release_keeping(self, job_id: str) -> None:
        """Release the claim; if that fails too, the send's error is what matters."""
        try:
            await self._ledger.release(job_id)
        except LedgerUnavailable as exc:
            log.warning(
                "claim release failed job_id=%s reason=%s; it expires on its own",
                job_id,
                exc.reason,
                extra={"job_id": job_id},
            )
