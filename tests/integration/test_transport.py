"""Mail transports against a real SMTP server: plain, STARTTLS, implicit TLS, and
the development backends."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme

from ticketstock.errors import SmtpPermanentError, SmtpTemporaryError
from ticketstock.metrics import Metrics
from ticketstock.sandbox.smtp_sink import SmtpSink
from ticketstock.settings import Settings
from ticketstock.transport import ConsoleTransport, FolderTransport, SmtpTransport


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server_context(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def ca_file(authority: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return path


def _message(job: str = "job-1") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "ticketstock@example.com"
    message["To"] = "alice@example.com"
    message["Subject"] = "Return"
    message["Message-ID"] = f"<{job}@example.com>"
    message.set_content("body")
    return message


@pytest.fixture
def sink_with(server_context: ssl.SSLContext) -> Iterator[Callable[[str], SmtpSink]]:
    started: list[SmtpSink] = []

    def start(mode: str) -> SmtpSink:
        options = {
            "tls": {"tls": server_context},
            "starttls": {"starttls": server_context},
        }
        sink = SmtpSink(**options.get(mode, {})).start()  # type: ignore[arg-type]
        started.append(sink)
        return sink

    yield start
    for sink in started:
        sink.stop()


@pytest.mark.parametrize("mode", ["none", "starttls", "tls"])
async def test_a_mail_is_delivered_in_every_security_mode(
    mode: str,
    sink_with: Callable[[str], SmtpSink],
    ca_file: Path,
    settings_for: Callable[..., Settings],
) -> None:
    sink = sink_with(mode)
    settings = settings_for(
        smtp_port=sink.port, smtp_security=mode, smtp_ca_file=ca_file
    )
    await SmtpTransport(settings, Metrics()).send(_message(), "alice@example.com")
    assert [r.recipients for r in sink.received] == [("alice@example.com",)]


async def test_an_untrusted_certificate_is_refused_as_temporary(
    sink_with: Callable[[str], SmtpSink], settings_for: Callable[..., Settings]
) -> None:
    sink = sink_with("tls")
    settings = settings_for(smtp_port=sink.port, smtp_security="tls")
    with pytest.raises(
        SmtpTemporaryError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"
    ):
        await SmtpTransport(settings, Metrics()).send(_message(), "alice@example.com")
    assert sink.received == []


@pytest.mark.parametrize(
    ("reply", "error", "code"),
    [
        ("451", SmtpTemporaryError, 451),
        ("550", SmtpPermanentError, 550),
        ("drop", SmtpTemporaryError, None),
    ],
)
async def test_smtp_replies_become_temporary_or_permanent_errors(
    reply: str,
    error: type[Exception],
    code: int | None,
    smtp: SmtpSink,
    settings_for: Callable[..., Settings],
) -> None:
    smtp.script(reply)  # type: ignore[arg-type]
    with pytest.raises(error) as caught:
        await SmtpTransport(settings_for(), Metrics()).send(
            _message(), "alice@example.com"
        )
    assert getattr(caught.value, "smtp_code", None) == code
    assert smtp.received == []


async def test_folder_backend_writes_one_eml_per_message_id(tmp_path: Path) -> None:
    transport = FolderTransport(tmp_path / "mail")
    await transport.send(_message("job-1"), "alice@example.com")
    await transport.send(_message("job-1"), "alice@example.com")
    await transport.send(_message("job-2"), "alice@example.com")
    names = sorted(p.name for p in (tmp_path / "mail").iterdir())
    assert names == ["job-1@example.com.eml", "job-2@example.com.eml"]
    assert b"Subject: Return" in (tmp_path / "mail" / names[0]).read_bytes()


async def test_console_backend_prints_the_mail(
    capsys: pytest.CaptureFixture[str],
) -> None:
    await ConsoleTransport().send(_message(), "alice@example.com")
    out = capsys.readouterr().out
    assert "----- mail to alice@example.com -----" in out
    assert "Subject: Return" in out


async def test_a_recipient_refused_at_rcpt_is_a_temporary_error_for_452(
    smtp: SmtpSink, settings_for: Callable[..., Settings]
) -> None:
    smtp.refuse("alice@example.com")
    transport = SmtpTransport(settings_for(), Metrics())
    with pytest.raises(SmtpTemporaryError) as caught:
        await transport.send(_message(), "alice@example.com")
    assert caught.value.smtp_code == 452
    smtp.accept("alice@example.com")
    await transport.send(_message(), "alice@example.com")
    assert [r.recipients for r in smtp.received] == [("alice@example.com",)]
