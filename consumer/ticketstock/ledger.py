"""The sent-ledger: which mail jobs were already delivered, shared by every sender.

A sender *claims* a job before sending, marks it *sent* after, and *releases* the
claim when sending failed. A claim expires after ``ttl`` seconds so a sender killed
mid-send does not block its job forever.

Known limit: a sender that dies after the SMTP server accepted the mail but before
it marked the job sent leaves only an expiring claim, and the job is sent again
once the claim expires. Closing that gap needs the SMTP server to deduplicate on
Message-ID, which the mails carry for that purpose.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal, Protocol, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from .errors import SettingsError, TransientError
from .settings import ENV_PREFIX, Settings

Claim = Literal["claimed", "sent", "busy"]
T = TypeVar("T")

SENT_RETENTION_S = 90 * 24 * 3600


class LedgerUnavailable(TransientError):
    """The ledger's store could not be read or written."""


class Ledger(Protocol):
    async def claim(self, job_id: str) -> Claim: ...

    async def mark_sent(self, job_id: str) -> None: ...

    async def release(self, job_id: str) -> None: ...

    async def close(self) -> None: ...


class SqliteLedger:
    """A ledger in one SQLite file: for senders on one host."""

    def __init__(self, path: Path, ttl: int) -> None:
        self._path = path
        self._ttl = ttl
        self._lock = asyncio.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            path, timeout=30, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL loses at most the last marks on a power cut (a resend, as
        # the module docstring says) and spares an fsync per mark on the hot path.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS sent_ledger ("
            " job_id TEXT PRIMARY KEY, state TEXT NOT NULL, until REAL NOT NULL)"
        )

    async def claim(self, job_id: str) -> Claim:
        return await self._run(lambda: self._claim(job_id))

    async def mark_sent(self, job_id: str) -> None:
        until = time.time() + SENT_RETENTION_S
        await self._run(lambda: self._set(job_id, "sent", until))

    async def release(self, job_id: str) -> None:
        await self._run(lambda: self._release(job_id))

    async def close(self) -> None:
        async with self._lock:
            self._db.close()

    async def _run(self, function: Callable[[], T]) -> T:
        async with self._lock:
            try:
                return await asyncio.to_thread(function)
            except sqlite3.Error as exc:
                raise LedgerUnavailable(f"sent-ledger {self._path}: {exc}") from exc

    def _claim(self, job_id: str) -> Claim:
        now = time.time()
        self._db.execute("BEGIN IMMEDIATE")
        try:
            row = self._db.execute(
                "SELECT state, until FROM sent_ledger WHERE job_id = ?", (job_id,)
            ).fetchone()
            if row is not None and row[0] == "sent":
                return "sent"
            if row is not None and row[1] > now:
                return "busy"
            self._db.execute(
                "INSERT OR REPLACE INTO sent_ledger VALUES (?, 'claimed', ?)",
                (job_id, now + self._ttl),
            )
            return "claimed"
        finally:
            self._db.execute("COMMIT")

    def _set(self, job_id: str, state: str, until: float) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO sent_ledger VALUES (?, ?, ?)",
            (job_id, state, until),
        )

    def _release(self, job_id: str) -> None:
        self._db.execute(
            "DELETE FROM sent_ledger WHERE job_id = ? AND state = 'claimed'", (job_id,)
        )


# Deletes the claim only if it is still ours, so a late release never frees a claim
# another sender took after ours expired.
_RELEASE = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end"
    " return 0"
)


class RedisLedger:
    """A ledger in Redis: for senders on several hosts."""

    def __init__(self, url: str, ttl: int, prefix: str) -> None:
        self._redis = aioredis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=5
        )
        self._ttl = ttl
        self._prefix = prefix
        self._tokens: dict[str, str] = {}

    def _key(self, job_id: str) -> str:
        return f"{self._prefix}:sent:{job_id}"

    async def claim(self, job_id: str) -> Claim:
        token = "claimed:" + secrets.token_hex(8)
        try:
            if await self._redis.set(self._key(job_id), token, nx=True, ex=self._ttl):
                self._tokens[job_id] = token
                return "claimed"
            value = await self._redis.get(self._key(job_id))
        except RedisError as exc:
            raise LedgerUnavailable(f"sent-ledger redis: {type(exc).__name__}") from exc
        if value is None:
            return await self.claim(job_id)  # the claim expired between our two calls
        return "sent" if value == b"sent" else "busy"

    async def mark_sent(self, job_id: str) -> None:
        self._tokens.pop(job_id, None)
        try:
            await self._redis.set(self._key(job_id), "sent", ex=SENT_RETENTION_S)
        except RedisError as exc:
            raise LedgerUnavailable(f"sent-ledger redis: {type(exc).__name__}") from exc

    async def release(self, job_id: str) -> None:
        token = self._tokens.pop(job_id, None)
        if token is None:
            return
        try:
            await self._redis.eval(_RELEASE, 1, self._key(job_id), token)
        except RedisError as exc:
            raise LedgerUnavailable(f"sent-ledger redis: {type(exc).__name__}") from exc

    async def close(self) -> None:
        await self._redis.aclose()


def make_ledger(settings: Settings) -> Ledger:
    """The configured ledger; an unusable SQLite path is a settings error."""
    if settings.ledger == "redis":
        assert settings.redis_url is not None  # Settings.require() checked it
        return RedisLedger(
            settings.redis_url.get_secret_value(),
            settings.ledger_claim_ttl,
            settings.amqp_prefix,
        )
    try:
        return SqliteLedger(settings.ledger_path, settings.ledger_claim_ttl)
    except (OSError, sqlite3.Error) as exc:
        raise SettingsError(
            f"{ENV_PREFIX}LEDGER_PATH: cannot open {settings.ledger_path}: {exc}"
        ) from exc
