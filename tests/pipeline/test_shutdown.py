"""Stopping a service drains what is in flight instead of rejecting it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aio_pika

from tests import factories
from tests.conftest import Publish, eventually
from ticketstock.sandbox.dolibarr_double import DolibarrDouble
from ticketstock.service import Service
from ticketstock.settings import Settings


async def test_stop_finishes_in_flight_messages_and_dead_letters_none(
    settings_for: Callable[..., Settings],
    double: DolibarrDouble,
    company: dict[str, int],
    publish: Publish,
    amqp: aio_pika.abc.AbstractRobustConnection,
    prefix: str,
) -> None:
    service = Service(settings_for(), {"tickets"})
    await service.start()
    double.set_delay(400)
    for _ in range(5):
        movement = double.add_movement(company["product"], company["watched"], 1, 3)
        await publish(factories.event(movement, warehouse_id=company["watched"]))
    await eventually(
        lambda: (
            service.metrics.registry.get_sample_value(
                "ticketstock_messages_in_flight", {"stage": "tickets"}
            )
            >= 5
        ),
        what="five messages in flight",
    )

    await service.stop()

    assert len(double.tickets) == 5
    assert (
        service.metrics.registry.get_sample_value(
            "ticketstock_messages_in_flight", {"stage": "tickets"}
        )
        == 0
    )
    channel = await amqp.channel()
    for name in (f"{prefix}.tickets", f"{prefix}.tickets.dead"):
        queue = await channel.declare_queue(name, passive=True)
        assert queue.declaration_result.message_count == 0, name
    await channel.close()


async def test_a_slow_handler_past_the_drain_bound_is_redelivered_not_rejected(
    settings_for: Callable[..., Settings],
    double: DolibarrDouble,
    company: dict[str, int],
    publish: Publish,
    amqp: aio_pika.abc.AbstractRobustConnection,
    prefix: str,
) -> None:
    service = Service(
        settings_for(shutdown_timeout=0.2, dolibarr_timeout=5.0), {"tickets"}
    )
    await service.start()
    double.set_delay(1500)
    movement = double.add_movement(company["product"], company["watched"], 1, 3)
    await publish(factories.event(movement, warehouse_id=company["watched"]))
    await eventually(
        lambda: (
            service.metrics.registry.get_sample_value(
                "ticketstock_messages_in_flight", {"stage": "tickets"}
            )
            == 1
        ),
        what="one message in flight",
    )

    await service.stop()
    double.set_delay(0)
    await asyncio.sleep(0.5)

    channel = await amqp.channel()
    work = await channel.declare_queue(f"{prefix}.tickets", passive=True)
    dead = await channel.declare_queue(f"{prefix}.tickets.dead", passive=True)
    assert work.declaration_result.message_count == 1  # back in the queue, unharmed
    assert dead.declaration_result.message_count == 0
    await channel.close()
