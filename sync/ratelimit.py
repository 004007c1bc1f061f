"""Rate limits shared by every worker through Redis.

A sliding window per key (for example one HubSpot portal): at most `limit`
calls in any `window_s`. The check and the booking happen in one Lua script
on Redis's own clock, so workers on several machines agree without trusting
their clocks.
"""

from __future__ import annotations

import asyncio
import uuid

from redis.asyncio import Redis

# Returns 0 when a slot was booked, else the milliseconds until one frees up.
_SLIDING_WINDOW = """
local key = KEYS[1]
local window_ms = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local member = ARGV[3]
local clock = redis.call('TIME')
local now_ms = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now_ms - window_ms)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now_ms, member)
  redis.call('PEXPIRE', key, window_ms)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window_ms - now_ms)
"""


class RateLimiter:
    """At most `limit` calls per `window_s` for `key`, across all processes."""

    def __init__(self, redis: Redis, *, key: str, limit: int, window_s: float) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError(f"limit {limit!r} per {window_s!r}s cannot admit a call")
        self.redis = redis
        self.key = f"ratelimit:{key}"
        self.limit = limit
        self.window_ms = int(window_s * 1000)
        self._script = redis.register_script(_SLIDING_WINDOW)

    async def try_acquire(self) -> float:
        """Book a slot now and return 0, or return the seconds to wait."""
        wait_ms = await self._script(
            keys=[self.key], args=[self.window_ms, self.limit, uuid.uuid4().hex]
        )
        return int(wait_ms) / 1000

    async def acquire(self) -> float:
        """Wait for a slot and book it; returns the seconds spent waiting."""
        waited_s = 0.0
        while (wait_s := await self.try_acquire()) > 0:
            await asyncio.sleep(wait_s)
            waited_s += wait_s
        return waited_s
