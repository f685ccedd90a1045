"""A short-lived cache of each entity's module configuration.

Every event needs its entity's configuration; fetching it once per entity per TTL
keeps the happy path at one Dolibarr call per event. Concurrent misses for the
same entity share one fetch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from .dolibarr import DolibarrPort
from .models import ModuleConfig


class ConfigCache:
    """Per-entity configuration, refreshed after ``ttl`` seconds (0 disables caching)."""

    def __init__(
        self,
        dolibarr: DolibarrPort,
        ttl: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._dolibarr = dolibarr
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[int, tuple[float, ModuleConfig]] = {}
        self._fetching: dict[int, asyncio.Future[ModuleConfig]] = {}

    async def get(self, entity: int) -> ModuleConfig:
        entry = self._entries.get(entity)
        if entry is not None and self._clock() < entry[0]:
            return entry[1]
        pending = self._fetching.get(entity)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[ModuleConfig] = (
            asyncio.get_running_loop().create_future()
        )
        self._fetching[entity] = future
        try:
            config = await self._dolibarr.fetch_config(entity)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # marks it retrieved when nobody else was waiting
            raise
        finally:
            del self._fetching[entity]
        if self._ttl > 0:
            self._entries[entity] = (self._clock() + self._ttl, config)
        future.set_result(config)
        return config

    def forget(self, entity: int) -> None:
        """Drop an entity's entry, so the next event fetches it afresh."""
        self._entries.pop(entity, None)
