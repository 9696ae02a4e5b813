"""Rate counters in Redis (USHER_REDIS_URL): shared by every node, expired by Redis itself.

A hit is one Lua script: INCR, and on a new key (or one that somehow lost its expiry) PEXPIRE for the window,
so the count and its expiry are set atomically. The window's end is "now + PTTL": the expiry is relative and
kept by the Redis server's clock, so nodes with slightly different clocks still share one window. Short
time-outs and no client-side retries: when Redis goes away, ResilientCounter counts in process at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from usher.limiting.keys import digest
from usher.limiting.resilient import ResilientCounter

# Seconds, for connecting, for each command and for a free pooled connection. Not shorter: the time is taken on
# the event loop, and a process serving a few hundred sign-ins at once lags by more than 0.5 s, which would
# look like an outage and move counting in process at the worst moment.
TIMEOUT = 1.0
DEFAULT_PREFIX = "usher:rl:"

_HIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""

_UNDO = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0
"""


class RedisCounter(ResilientCounter):
    backend = "redis"

    def __init__(
        self,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        backoff: float = 5.0,
        timeout: float = TIMEOUT,
        max_connections: int = 32,
    ) -> None:
        super().__init__(backoff=backoff)
        self._prefix = prefix
        # A bounded pool: a burst of hits waits (at most `timeout`) for a connection instead of opening hundreds.
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=timeout,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self._client: aioredis.Redis = aioredis.Redis.from_pool(pool)
        self._hit_script: Any = self._client.register_script(_HIT)
        self._undo_script: Any = self._client.register_script(_UNDO)

    async def _hit(self, key: str, window: int, now: datetime) -> tuple[int, datetime]:
        window_ms = window * 1000
        count, ttl_ms = await self._hit_script(keys=[self._key(key)], args=[window_ms])
        return int(count), now + timedelta(milliseconds=int(ttl_ms))

    async def _undo(self, key: str) -> None:
        await self._undo_script(keys=[self._key(key)])

    async def _close(self) -> None:
        await self._client.aclose()

    def _key(self, key: str) -> str:
        return self._prefix + digest(key)
