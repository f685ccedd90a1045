"""Where composed mails go: an SMTP server, or, for development, the console or a folder.

:class:`SmtpTransport` is the one seam where aiosmtplib's exceptions become this
package's: a 4xx reply or a lost connection is temporary, a 5xx reply permanent,
and a recipient refused in part is never a success.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib

from .errors import SmtpPermanentError, SmtpTemporaryError
from .metrics import Metrics
from .settings import Settings

log = logging.getLogger(__name__)


class MailTransport(Protocol):
    async def send(self, message: EmailMessage, recipient: str) -> None: ...

    async def aclose(self) -> None: ...


class SmtpTransport:
    """Delivers over SMTP: plain, STARTTLS or implicit TLS, with optional auth.

    :meth:`send` returns as soon as the server accepted the data, and says QUIT in
    the background: the caller records the mail as sent one round trip sooner,
    which narrows the window in which a crash makes it send the mail again.
    """

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self._settings = settings
        self._metrics = metrics
        self._closing: set[asyncio.Task[None]] = set()

    async def send(self, message: EmailMessage, recipient: str) -> None:
        s = self._settings
        started = time.monotonic()
        result = "error"
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=s.smtp_timeout,
            cert_bundle=str(s.smtp_ca_file) if s.smtp_ca_file else None,
        )
        try:
            async with asyncio.timeout(s.smtp_timeout * 3):
                await client.connect()
                refused, _reply = await client.send_message(
                    message, recipients=[recipient]
                )
            if refused:
                code, text = next(iter(refused.values()))
                raise _by_code(code, f"recipient refused: {code} {text}")
            result = "sent"
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first = exc.recipients[0]
            raise _by_code(
                first.code, f"recipient refused: {first.code} {first.message}"
            ) from exc
        except aiosmtplib.SMTPNotSupported as exc:
            # The server lacks what the settings ask for (AUTH, STARTTLS): a setup error.
            raise SmtpPermanentError(
                f"SMTP {s.smtp_host}:{s.smtp_port}: {exc}"
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _by_code(
                exc.code, f"SMTP server answered {exc.code} {exc.message}"
            ) from exc
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            raise SmtpTemporaryError(
                f"SMTP {s.smtp_host}:{s.smtp_port} failed: {type(exc).__name__}: {exc}"
            ) from exc
        finally:
            self._metrics.smtp_latency.labels(result).observe(
                time.monotonic() - started
            )
            self._quit_later(client)

    def _quit_later(self, client: aiosmtplib.SMTP) -> None:
        task = asyncio.create_task(_quit(client))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        """Wait for the connections still saying QUIT."""
        if self._closing:
            await asyncio.wait(set(self._closing), timeout=self._settings.smtp_timeout)


async def _quit(client: aiosmtplib.SMTP) -> None:
    if not client.is_connected:
        return
    try:
        await client.quit()
    except (TimeoutError, aiosmtplib.SMTPException, OSError):
        client.close()


def _by_code(code: int, reason: str) -> SmtpTemporaryError | SmtpPermanentError:
    if 400 <= code < 500:
        return SmtpTemporaryError(reason, smtp_code=code)
    return SmtpPermanentError(reason, smtp_code=code)


class ConsoleTransport:
    """Prints each mail to standard output instead of sending it."""

    async def send(self, message: EmailMessage, recipient: str) -> None:
        text = message.as_string()
        sys.stdout.write(f"----- mail to {recipient} -----\n{text}\n")
        sys.stdout.flush()

    async def aclose(self) -> None:
        """Nothing to close."""


class FolderTransport:
    """Writes each mail as ``<Message-ID>.eml`` in a folder instead of sending it."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    async def send(self, message: EmailMessage, recipient: str) -> None:
        name = str(message["Message-ID"]).strip("<>").replace("/", "_") + ".eml"
        data = message.as_bytes()
        await asyncio.to_thread(self._write, name, data)

    async def aclose(self) -> None:
        """Nothing to close."""

    def _write(self, name: str, data: bytes) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        temporary = self._folder / (name + ".part")
        temporary.write_bytes(data)
        temporary.replace(self._folder / name)


def make_transport(settings: Settings, metrics: Metrics) -> MailTransport:
    if settings.mail_backend == "console":
        return ConsoleTransport()
    if settings.mail_backend == "folder":
        return FolderTransport(settings.mail_folder)
    return SmtpTransport(settings, metrics)
