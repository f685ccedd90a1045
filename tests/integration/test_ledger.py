"""The sent-ledger on SQLite and on the real Redis: claim, mark sent, release."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ticketstock.ledger import Ledger, RedisLedger, SqliteLedger


@pytest.fixture(params=["sqlite", "redis"])
async def ledger(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Ledger]:
    if request.param == "sqlite":
        store: Ledger = SqliteLedger(tmp_path / "ledger.sqlite3", ttl=30)
    else:
        store = RedisLedger(
            "redis://127.0.0.1:6379/0", ttl=30, prefix=f"ts-test-{uuid.uuid4().hex}"
        )
    yield store
    await store.close()


async def test_a_job_is_claimed_once_and_skipped_once_sent(ledger: Ledger) -> None:
    job = str(uuid.uuid4())
    assert await ledger.claim(job) == "claimed"
    assert await ledger.claim(job) == "busy"
    await ledger.mark_sent(job)
    assert await ledger.claim(job) == "sent"


async def test_a_released_claim_can_be_taken_again(ledger: Ledger) -> None:
    job = str(uuid.uuid4())
    assert await ledger.claim(job) == "claimed"
    await ledger.release(job)
    assert await ledger.claim(job) == "claimed"


async def test_racing_claims_give_exactly_one_winner(ledger: Ledger) -> None:
    job = str(uuid.uuid4())
    results = await asyncio.gather(*(ledger.claim(job) for _ in range(20)))
    assert results.count("claimed") == 1


async def test_an_expired_claim_is_taken_over(tmp_path: Path) -> None:
    ledger = SqliteLedger(tmp_path / "ledger.sqlite3", ttl=1)
    other = SqliteLedger(
        tmp_path / "ledger.sqlite3", ttl=1
    )  # a second sender, same host
    job = str(uuid.uuid4())
    assert await ledger.claim(job) == "claimed"
    assert await other.claim(job) == "busy"
    await asyncio.sleep(1.2)
    assert await other.claim(job) == "claimed"
    await ledger.close()
    await other.close()
