"""``ticketstock check``: say, one line per component, what works and what does not."""

from __future__ import annotations

import smtplib

import aiosmtplib

from .broker import Broker
from .dolibarr import DolibarrClient
from .errors import TicketStockError
from .metrics import Metrics
from .settings import Settings


async def check(settings: Settings, entities: tuple[int, ...] = (1,)) -> int:
    """Exit code 0 when every configured component answers, 1 otherwise."""
    results: list[tuple[str, bool, str]] = []
    broker = Broker(settings, name="ticketstock check")
    try:
        await broker.connect(declare_topology=False)
        results.append(("rabbitmq", True, "connected"))
    except TicketStockError as exc:
        results.append(("rabbitmq", False, exc.reason))
    finally:
        await broker.close()

    if settings.dolibarr_url is not None and settings.dolibarr_api_key is not None:
        results.extend(await _check_dolibarr(settings, entities))
    else:
        results.append(
            ("dolibarr", False, "TICKETSTOCK_DOLIBARR_URL or _API_KEY not set")
        )

    results.append(await _check_smtp(settings))
    for name, ok, detail in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    return 0 if all(ok for _, ok, _ in results) else 1


async def _check_dolibarr(
    settings: Settings, entities: tuple[int, ...]
) -> list[tuple[str, bool, str]]:
    client = DolibarrClient(
        settings.model_copy(update={"dolibarr_attempts": 1}), Metrics()
    )
    results: list[tuple[str, bool, str]] = []
    try:
        status = await client.status()
        version = status.get("success", {}).get("dolibarr_version", "?")
        results.append(("dolibarr", True, f"version {version}"))
        for entity in entities:
            config = await client.fetch_config(entity)
            state = (
                "configured"
                if config.enabled and config.warehouses
                else "NOT configured"
            )
            results.append(
                (
                    f"dolibarr entity {entity}",
                    config.enabled and bool(config.warehouses),
                    f"module {config.module_version} {state}, "
                    f"{len(config.warehouses)} watched warehouse(s), "
                    f"{len(config.contacts)} contact(s)",
                )
            )
    except TicketStockError as exc:
        results.append(("dolibarr", False, exc.reason))
    finally:
        await client.aclose()
    return results


async def _check_smtp(settings: Settings) -> tuple[str, bool, str]:
    if settings.mail_backend != "smtp":
        return ("mail", True, f"backend {settings.mail_backend} (no SMTP server used)")
    client = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        use_tls=settings.smtp_security == "tls",
        start_tls=settings.smtp_security == "starttls",
        timeout=min(settings.smtp_timeout, 10),
    )
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        await client.connect()
        if settings.smtp_username and settings.smtp_password:
            await client.login(
                settings.smtp_username, settings.smtp_password.get_secret_value()
            )
        await client.quit()
    except (
        TimeoutError,
        aiosmtplib.SMTPException,
        OSError,
        smtplib.SMTPException,
    ) as exc:
        return ("smtp", False, f"{where}: {type(exc).__name__}: {exc}")
    return ("smtp", True, f"{where} answered")
