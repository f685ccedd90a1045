"""``ticketstock check``: say, one line per component, what works and what does not.

It checks what ``run`` would need, in the order ``run`` needs it: the settings of both
roles, RabbitMQ, Dolibarr and the module's configuration of each entity asked for,
the sent-ledger, and the SMTP server (with the same TLS, CA and login as the sender).
"""

from __future__ import annotations

import aiosmtplib
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from .broker import Broker
from .dolibarr import DolibarrClient
from .errors import TicketStockError
from .metrics import Metrics
from .settings import ENV_PREFIX, Settings, redact_url

Result = tuple[str, bool, str]


async def check(settings: Settings, entities: tuple[int, ...] = (1,)) -> int:
    """Print one line per component; exit code 0 when every one answers, 1 otherwise."""
    results: list[Result] = [_check_settings(settings), await _check_broker(settings)]
    if settings.dolibarr_url is not None and settings.dolibarr_api_key is not None:
        results.extend(await _check_dolibarr(settings, entities))
    else:
        results.append(
            (
                "dolibarr",
                False,
                f"{ENV_PREFIX}DOLIBARR_URL or {ENV_PREFIX}DOLIBARR_API_KEY not set",
            )
        )
    results.append(await _check_ledger(settings))
    results.append(await _check_smtp(settings))
    for name, ok, detail in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    return 0 if all(ok for _, ok, _ in results) else 1


def _check_settings(settings: Settings) -> Result:
    try:
        settings.require({"tickets", "mail"})
    except TicketStockError as exc:
        return ("settings", False, exc.reason)
    return ("settings", True, "complete for both roles")


async def _check_broker(settings: Settings) -> Result:
    broker = Broker(settings, name="ticketstock check")
    try:
        await broker.connect(declare_topology=False)
    except TicketStockError as exc:
        return ("rabbitmq", False, f"{exc.reason} ({ENV_PREFIX}AMQP_URL)")
    finally:
        await broker.close()
    return ("rabbitmq", True, "connected")


async def _check_dolibarr(
    settings: Settings, entities: tuple[int, ...]
) -> list[Result]:
    client = DolibarrClient(
        settings.model_copy(update={"dolibarr_attempts": 1}), Metrics()
    )
    where = settings.dolibarr_api_base
    results: list[Result] = []
    try:
        status = await client.status()
        version = status.get("success", {}).get("dolibarr_version", "?")
        results.append(("dolibarr", True, f"{where}: version {version}"))
        for entity in entities:
            results.append(await _check_entity(client, entity))
    except TicketStockError as exc:
        results.append(("dolibarr", False, f"{where}: {exc.reason}{_advice(exc)}"))
    finally:
        await client.aclose()
    return results


async def _check_entity(client: DolibarrClient, entity: int) -> Result:
    name = f"dolibarr entity {entity}"
    try:
        config = await client.fetch_config(entity)
    except TicketStockError as exc:
        return (name, False, f"{exc.reason}{_advice(exc)}")
    usable = config.enabled and bool(config.warehouses)
    state = "configured" if usable else "NOT configured (see its setup page)"
    detail = (
        f"module {config.module_version} {state}, "
        f"{len(config.warehouses)} watched warehouse(s), {len(config.contacts)} contact(s)"
    )
    return (name, usable, detail)


def _advice(error: TicketStockError) -> str:
    if error.http_status in (401, 403):
        return " (check the API key, its user's TicketStock rights and the entity)"
    return ""


async def _check_ledger(settings: Settings) -> Result:
    if settings.ledger == "sqlite":
        return ("ledger", True, f"sqlite {settings.ledger_path}")
    if settings.redis_url is None:
        return ("ledger", False, f"{ENV_PREFIX}REDIS_URL not set")
    url = settings.redis_url.get_secret_value()
    client = aioredis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        return (
            "ledger",
            False,
            f"redis {redact_url(url)}: {type(exc).__name__}: {exc}",
        )
    finally:
        await client.aclose()
    return ("ledger", True, f"redis {redact_url(url)} answered")


async def _check_smtp(settings: Settings) -> Result:
    s = settings
    if s.mail_backend != "smtp":
        return ("mail", True, f"backend {s.mail_backend} (no SMTP server used)")
    client = aiosmtplib.SMTP(
        hostname=s.smtp_host,
        port=s.smtp_port,
        use_tls=s.smtp_security == "tls",
        start_tls=s.smtp_security == "starttls",
        timeout=min(s.smtp_timeout, 10),
        cert_bundle=str(s.smtp_ca_file) if s.smtp_ca_file else None,
    )
    where = f"{s.smtp_host}:{s.smtp_port}"
    try:
        await client.connect()
        if s.smtp_username:
            password = s.smtp_password.get_secret_value() if s.smtp_password else ""
            await client.login(s.smtp_username, password)
        await client.quit()
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        return ("smtp", False, f"{where}: {type(exc).__name__}: {exc}")
    login = f", logged in as {s.smtp_username}" if s.smtp_username else ""
    return ("smtp", True, f"{where} answered ({s.smtp_security}{login})")
