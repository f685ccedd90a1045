"""The RabbitMQ connection and confirmed publishing.

One robust connection per process: aio-pika reconnects it and restores its
channels and consumers. Every publish is mandatory and waits for the broker's
confirm, so a message is either routed to a queue and persisted, or the caller
gets an exception; foreign AMQP exceptions are translated here.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aio_pika
import aiormq
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractRobustConnection,
    DeliveryMode,
)
from aio_pika.exceptions import AMQPError, DeliveryError

from .errors import SettingsError, TransientError
from .settings import Settings, redact_url
from .topology import Topology, declare

log = logging.getLogger(__name__)

CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    AMQPError,
    aiormq.exceptions.AMQPError,
    ConnectionError,
    OSError,
    asyncio.TimeoutError,
)


class PublishFailed(TransientError):
    """The broker did not confirm a publish, or returned it as unroutable."""


class Broker:
    """A robust connection, one confirmed publishing channel, and the topology."""

    def __init__(self, settings: Settings, *, name: str) -> None:
        self._settings = settings
        self._name = name
        self.topology = Topology(
            settings.amqp_prefix, settings.retry_delays, settings.delivery_limit
        )
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._exchanges: dict[str, AbstractExchange] = {}

    @property
    def connection(self) -> AbstractRobustConnection:
        if self._connection is None:
            raise RuntimeError("broker is not connected")
        return self._connection

    @property
    def is_connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    async def connect(self, *, declare_topology: bool = True) -> None:
        """Open the connection and the publishing channel; declare the topology."""
        url = self._settings.amqp_url.get_secret_value()
        try:
            self._connection = await aio_pika.connect_robust(
                url,
                client_properties={"connection_name": self._name},
                timeout=self._settings.publish_timeout,
            )
            self._publish_channel = await self._connection.channel(
                publisher_confirms=True, on_return_raises=True
            )
            if declare_topology:
                await declare(self._publish_channel, self.topology)
        except aiormq.exceptions.ChannelPreconditionFailed as exc:
            await self.close()
            raise SettingsError(
                "RabbitMQ refused the topology: a queue or exchange exists with other "
                f"arguments ({exc}). Keep the settings it was declared with "
                "(TICKETSTOCK_RETRY_DELAYS, TICKETSTOCK_DELIVERY_LIMIT), or delete it "
                "once it is empty."
            ) from exc
        except CONNECTION_ERRORS as exc:
            await self.close()
            raise TransientError(
                f"cannot connect to RabbitMQ at {redact_url(url)}: {type(exc).__name__}"
            ) from exc
        log.info(
            "broker connected url=%s name=%s",
            redact_url(url),
            self._name,
            extra={"url": redact_url(url)},
        )

    async def channel(self, prefetch: int) -> AbstractChannel:
        """A new consuming channel with an explicit prefetch."""
        channel = await self.connection.channel()
        await channel.set_qos(prefetch_count=prefetch)
        return channel

    async def publish(
        self,
        exchange: str,
        routing_key: str,
        body: bytes,
        *,
        message_id: str,
        type_: str | None = None,
        headers: dict[str, Any] | None = None,
        app_id: str = "ticketstock",
        content_type: str = "application/json",
    ) -> None:
        """Publish persistently and wait for the broker's confirm."""
        message = aio_pika.Message(
            body,
            message_id=message_id,
            type=type_,
            headers=headers or {},
            app_id=app_id,
            content_type=content_type,
            delivery_mode=DeliveryMode.PERSISTENT,
        )
        try:
            target = await self._exchange(exchange)
            confirm = await target.publish(
                message,
                routing_key=routing_key,
                mandatory=True,
                timeout=self._settings.publish_timeout,
            )
        except DeliveryError as exc:
            raise PublishFailed(
                f"broker refused message to {exchange}/{routing_key}: {exc}"
            ) from exc
        except CONNECTION_ERRORS as exc:
            raise PublishFailed(
                f"publish to {exchange}/{routing_key} failed: {type(exc).__name__}"
            ) from exc
        if not isinstance(confirm, aiormq.spec.Basic.Ack):
            raise PublishFailed(
                f"broker did not confirm message to {exchange}/{routing_key}"
            )

    async def _exchange(self, name: str) -> AbstractExchange:
        if self._publish_channel is None:
            raise PublishFailed("broker is not connected")
        exchange = self._exchanges.get(name)
        if exchange is None:
            if name == "":
                exchange = self._publish_channel.default_exchange
            else:
                exchange = await self._publish_channel.get_exchange(name, ensure=False)
            self._exchanges[name] = exchange
        return exchange

    async def close(self) -> None:
        """Close the publishing channel, then the connection."""
        channel, connection = self._publish_channel, self._connection
        self._publish_channel, self._connection = None, None
        self._exchanges.clear()
        if channel is not None and not channel.is_closed:
            await channel.close()
        if connection is not None and not connection.is_closed:
            await connection.close()
