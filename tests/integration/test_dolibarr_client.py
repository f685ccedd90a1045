"""The Dolibarr client against the double: statuses become the right errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from ticketstock.config_cache import ConfigCache
from ticketstock.dolibarr import DolibarrClient
from ticketstock.errors import (
    ConfigurationMissing,
    DolibarrAuthError,
    DolibarrUnavailable,
    MovementNotFound,
)
from ticketstock.metrics import Metrics
from ticketstock.models import TicketCreateRequest
from ticketstock.sandbox.dolibarr_double import DolibarrDouble
from ticketstock.settings import Settings

CREATE = "/api/index.php/ticketstock/tickets"


@pytest.fixture
async def client(
    settings_for: Callable[..., Settings],
) -> AsyncIterator[DolibarrClient]:
    client = DolibarrClient(settings_for(dolibarr_timeout=0.5), Metrics())
    yield client
    await client.aclose()


def _request(movement_id: int, track: str = "ts" + "a" * 40) -> TicketCreateRequest:
    return TicketCreateRequest(
        track_id=track,
        movement_id=movement_id,
        subject="S",
        message="M",
        type_code="ISSUE",
        severity_code="HIGH",
        category_code="OTHER",
        fk_user_assign=None,
        contact_ids=(),
    )


async def test_config_is_read_with_string_ids_coerced(
    client: DolibarrClient, double: DolibarrDouble, company: dict[str, int]
) -> None:
    config = await client.fetch_config(1)
    assert config.enabled
    assert [w.id for w in config.warehouses] == [company["watched"]]
    assert config.ticket_url_base == "https://erp.example.com/ticket/card.php"


async def test_unconfigured_entity_answers_disabled(
    client: DolibarrClient, company: dict[str, int]
) -> None:
    config = await client.fetch_config(2)
    assert not config.enabled


async def test_wrong_api_key_is_an_auth_error(
    settings_for: Callable[..., Settings], company: dict[str, int]
) -> None:
    bad = DolibarrClient(settings_for(dolibarr_api_key="wrong"), Metrics())
    with pytest.raises(DolibarrAuthError) as caught:
        await bad.fetch_config(1)
    await bad.aclose()
    assert caught.value.http_status == 401
    assert "wrong" not in caught.value.reason


async def test_unknown_movement_is_movement_not_found(
    client: DolibarrClient, company: dict[str, int]
) -> None:
    with pytest.raises(MovementNotFound) as caught:
        await client.create_ticket(1, _request(424242))
    assert caught.value.http_status == 404


async def test_a_503_is_retried_in_process_and_then_succeeds(
    client: DolibarrClient, double: DolibarrDouble, company: dict[str, int]
) -> None:
    movement = double.add_movement(company["product"], company["watched"], 1, 3)
    double.fail_next(503, 1, path=CREATE)
    created = await client.create_ticket(1, _request(movement))
    assert created.created


async def test_a_lasting_outage_surfaces_as_transient_with_its_status(
    client: DolibarrClient, double: DolibarrDouble, company: dict[str, int]
) -> None:
    double.fail_next(503, None, path=CREATE)
    with pytest.raises(DolibarrUnavailable) as caught:
        await client.create_ticket(1, _request(1))
    assert caught.value.http_status == 503


async def test_a_hanging_dolibarr_times_out_as_transient(
    client: DolibarrClient, double: DolibarrDouble, company: dict[str, int]
) -> None:
    double.hang_next(3.0, 5)
    with pytest.raises(DolibarrUnavailable, match="timed out"):
        await client.fetch_config(1)


async def test_a_missing_module_endpoint_is_configuration_missing(
    client: DolibarrClient, double: DolibarrDouble
) -> None:
    double.fail_next(404, 1, path="/api/index.php/ticketstock/config")
    with pytest.raises(ConfigurationMissing, match="enabled in entity 1"):
        await client.fetch_config(1)


async def test_concurrent_misses_share_one_config_fetch_and_ttl_reuses_it(
    client: DolibarrClient, double: DolibarrDouble, company: dict[str, int]
) -> None:
    cache = ConfigCache(client, ttl=60)
    double.reset_calls()
    configs = await asyncio.gather(*(cache.get(1) for _ in range(10)))
    await cache.get(1)
    assert len({id(c) for c in configs}) == 1
    assert double.calls[("GET", "/api/index.php/ticketstock/config")] == 1


async def test_408_is_transient_and_a_retry_after_is_honoured(
    client: DolibarrClient, double: DolibarrDouble, company: dict[str, int]
) -> None:
    movement = double.add_movement(company["product"], company["watched"], 1, 3)
    double.fail_next(429, 1, path=CREATE, retry_after=1)
    started = asyncio.get_running_loop().time()
    created = await client.create_ticket(1, _request(movement))
    assert created.created
    assert asyncio.get_running_loop().time() - started >= 1.0
    double.fail_next(408, None, path=CREATE)
    with pytest.raises(DolibarrUnavailable) as caught:
        await client.create_ticket(1, _request(movement))
    assert caught.value.http_status == 408
