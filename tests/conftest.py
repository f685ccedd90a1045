"""Shared fixtures: a private topology on the real RabbitMQ, the Dolibarr double,
a real SMTP sink, and the service under test wired to all three."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aio_pika
import pytest

from ticketstock import topology as topo
from ticketstock.sandbox.dolibarr_double import DolibarrDouble
from ticketstock.sandbox.smtp_sink import SmtpSink
from ticketstock.service import Service
from ticketstock.settings import Settings, load_settings

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
API_KEY = "test-api-key-0123456789"
SECRET = "test-track-id-secret-0123456789"


@pytest.fixture
def prefix() -> str:
    """An AMQP name prefix no other test uses."""
    return f"ts-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def amqp(prefix: str) -> AsyncIterator[aio_pika.abc.AbstractRobustConnection]:
    """A connection for the test itself; deletes the test's topology afterwards."""
    connection = await aio_pika.connect_robust(
        AMQP_URL, client_properties={"connection_name": f"pytest {prefix}"}
    )
    yield connection
    channel = await connection.channel()
    # Tests declare with short tiers; commands run as processes use the defaults.
    for delays in ((1, 2), topo.Topology().retry_delays):
        await topo.delete(channel, topo.Topology(prefix, delays))
    await connection.close()


@pytest.fixture
async def double() -> AsyncIterator[DolibarrDouble]:
    double = DolibarrDouble(API_KEY, main_url="https://erp.example.com")
    await double.start()
    yield double
    await double.stop()


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def company(double: DolibarrDouble) -> dict[str, int]:
    """Entity 1 watching one warehouse, an assignee, a group of four members."""
    assignee = double.add_user("alice", "Alice", "Tech", "alice@example.com")
    bob = double.add_user("bob", "Bob", "Store", "bob@example.com")
    inactive = double.add_user("carl", "Carl", "Gone", "carl@example.com", active=False)
    no_mail = double.add_user("dina", "Dina", "NoMail", None)
    shared = double.add_user("alice2", "Alice", "Again", "ALICE@example.com")
    group = double.add_group("Returns team", [bob, inactive, no_mail, shared])
    watched = double.add_warehouse("WH-RET", "Returns")
    other = double.add_warehouse("WH-MAIN", "Main")
    product = double.add_product("CHAIR-1", "Folding chair")
    double.configure(
        1,
        warehouses=[watched],
        assignee_id=assignee,
        group_id=group,
        type_code="ISSUE",
        severity_code="HIGH",
        category_code="OTHER",
        subject="Return of __TICKETSTOCK_PRODUCT_REF__ (__TICKETSTOCK_QTY__)",
        content="__TICKETSTOCK_QTY__ x __TICKETSTOCK_PRODUCT_LABEL__ into "
        "__TICKETSTOCK_WAREHOUSE_LABEL__, ticket __REF__.",
        company_name="Example Returns Ltd",
    )
    return {
        "assignee": assignee,
        "bob": bob,
        "group": group,
        "watched": watched,
        "other": other,
        "product": product,
    }


@pytest.fixture
def settings_for(
    prefix: str,
    double: DolibarrDouble,
    smtp: SmtpSink,
    tmp_path: Path,
    amqp: aio_pika.abc.AbstractRobustConnection,  # its teardown deletes the topology
) -> Callable[..., Settings]:
    def build(**changes: Any) -> Settings:
        values: dict[str, Any] = {
            "amqp_url": AMQP_URL,
            "amqp_prefix": prefix,
            "retry_delays": (1, 2),
            "dolibarr_url": double.base_url,
            "dolibarr_api_key": API_KEY,
            "dolibarr_timeout": 2.0,
            "dolibarr_attempts": 2,
            "track_id_secret": SECRET,
            "smtp_port": smtp.port,
            "mail_from": "ticketstock@example.com",
            "ledger_path": tmp_path / "ledger.sqlite3",
            "http_port": 0,
            "shutdown_timeout": 5.0,
        }
        values.update(changes)
        return load_settings(**values)

    return build


@pytest.fixture
async def service(settings_for: Callable[..., Settings]) -> AsyncIterator[Service]:
    running = Service(settings_for(), {"tickets", "mail"})
    await running.start()
    yield running
    await running.stop()


Publish = Callable[[dict[str, Any]], Awaitable[None]]


@pytest.fixture
def publish(amqp: aio_pika.abc.AbstractRobustConnection, prefix: str) -> Publish:
    """Publish an event (or any JSON, or raw bytes) as the Dolibarr module would."""

    async def send(document: Any, *, raw: bytes | None = None) -> None:
        channel = await amqp.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(f"{prefix}.events")
        body = raw if raw is not None else json.dumps(document).encode()
        message_id = document.get("event_id") if isinstance(document, dict) else None
        await exchange.publish(
            aio_pika.Message(
                body, message_id=message_id, content_type="application/json"
            ),
            routing_key=topo.EVENT_ROUTING_KEY,
            mandatory=True,
        )
        await channel.close()

    return send  # type: ignore[return-value]


async def eventually(
    check: Callable[[], bool], *, timeout: float = 15.0, what: str = "condition"
) -> None:
    """Wait until ``check()`` holds, polling; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


async def drain(
    connection: aio_pika.abc.AbstractRobustConnection, queue_name: str
) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Take every message now in a queue (acked: gone afterwards)."""
    channel = await connection.channel()
    queue = await channel.get_queue(queue_name, ensure=False)
    taken = []
    while (message := await queue.get(fail=False, no_ack=True)) is not None:
        taken.append(message)
    await channel.close()
    return taken


async def collect(
    connection: aio_pika.abc.AbstractRobustConnection,
    queue_name: str,
    count: int,
    *,
    timeout: float = 10.0,
) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Take messages from a queue until ``count`` arrived; fail after ``timeout``."""
    taken: list[aio_pika.abc.AbstractIncomingMessage] = []
    deadline = time.monotonic() + timeout
    while len(taken) < count:
        taken.extend(await drain(connection, queue_name))
        if time.monotonic() > deadline:
            raise AssertionError(f"{queue_name}: {len(taken)} of {count} messages")
        await asyncio.sleep(0.05)
    return taken


def counted(service: Service, metric: str, **labels: str) -> float:
    """The current value of one of the service's counters."""
    value = service.metrics.registry.get_sample_value(f"{metric}_total", labels)
    return value or 0.0
