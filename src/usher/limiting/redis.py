"""Rate counters in Redis (USHER_REDIS_URL): shared by every node, expired by Redis itself.

A hit is one Lua script: for each key, INCR, and on a new key (or one that somehow lost its expiry) PEXPIRE for
its window, so a count and its expiry are set atomically, and several keys cost one round trip. A window's end is
"now + PTTL": the expiry is relative and kept by the Redis server's clock, so nodes with slightly different clocks
still share one window. Short time-outs and no client-side retries: when Redis goes away, ResilientCounter counts
in process at once.
"""

from __future__ import annotations

from collections.abc import Sequence
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
local answers = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if count == 1 or ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[i])
    ttl = tonumber(ARGV[i])
  end
  answers[2 * i - 1] = count
  answers[2 * i] = ttl
end
return answers
"""

_UNDO = """
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then
    redis.call('DECR', key)
  end
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

    async def _hit(self, windows: Sequence[tuple[str, int]], now: datetime) -> list[tuple[int, datetime]]:
        keys = [self._key(key) for key, _ in windows]
        answers = await self._hit_script(keys=keys, args=[window * 1000 for _, window in windows])
        pairs = zip(answers[::2], answers[1::2], strict=True)
        return [(int(count), now + timedelta(milliseconds=int(ttl_ms))) for count, ttl_ms in pairs]

    async def _undo(self, keys: Sequence[str]) -> None:
        await self._undo_script(keys=[self._key(key) for key in keys])

    async def _clear(self, keys: Sequence[str]) -> None:
        await self._client.delete(*(self._key(key) for key in keys))

    async def _close(self) -> None:
        await self._client.aclose()

    def _key(self, key: str) -> str:
        return self._prefix + digest(key)
