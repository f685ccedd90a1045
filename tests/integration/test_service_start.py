"""A service that cannot start says why, names the setting, and leaves nothing behind."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import aio_pika
import pytest

from ticketstock.errors import SettingsError
from ticketstock.service import Service
from ticketstock.settings import Settings


async def test_a_busy_http_port_is_a_settings_error_before_any_consuming(
    settings_for: Callable[..., Settings],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        service = Service(settings_for(http_port=port), {"mail"})
        with pytest.raises(SettingsError, match="HTTP_PORT: cannot listen"):
            await service.start()
        assert not service.broker.is_connected
        await service.stop()


async def test_an_unusable_ledger_path_names_the_setting(
    settings_for: Callable[..., Settings], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    service = Service(settings_for(ledger_path=blocker / "ledger.sqlite3"), {"mail"})
    with pytest.raises(SettingsError, match="LEDGER_PATH: cannot open"):
        await service.start()
    await service.stop()


async def test_a_topology_declared_with_other_arguments_is_a_settings_error(
    settings_for: Callable[..., Settings],
    amqp: aio_pika.abc.AbstractRobustConnection,  # deletes the topology afterwards
) -> None:
    first = Service(settings_for(http_enabled=False), {"mail"})
    await first.start()
    await first.stop()
    changed = Service(settings_for(http_enabled=False, delivery_limit=7), {"mail"})
    with pytest.raises(SettingsError, match="RabbitMQ refused the topology"):
        await changed.start()
    await changed.stop()
    assert not changed.broker.is_connected
