"""The shared rate limiter admits exactly `limit` calls per window, across clients."""

import asyncio
import time

from redis.asyncio import Redis

from sync.ratelimit import RateLimiter


async def test_calls_past_the_limit_wait_for_the_window(redis):
    limiter = RateLimiter(redis, key="portal-1", limit=5, window_s=0.5)

    admitted = [await limiter.try_acquire() for _ in range(5)]
    refused = await limiter.try_acquire()

    assert admitted == [0, 0, 0, 0, 0]
    assert 0 < refused <= 0.5


async def test_two_clients_on_one_key_share_the_budget(redis, redis_url):
    other_client = Redis.from_url(redis_url)
    first = RateLimiter(redis, key="portal-2", limit=4, window_s=0.4)
    second = RateLimiter(other_client, key="portal-2", limit=4, window_s=0.4)

    started = time.monotonic()
    await asyncio.gather(*(limiter.acquire() for limiter in [first, second] * 5))
    elapsed = time.monotonic() - started
    await other_client.aclose()

    # 10 calls at 4 per 0.4 s need at least two full windows.
    assert elapsed >= 0.8


async def test_other_keys_are_not_slowed(redis):
    busy = RateLimiter(redis, key="portal-3", limit=1, window_s=5)
    idle = RateLimiter(redis, key="portal-4", limit=1, window_s=5)
    await busy.acquire()

    assert await idle.try_acquire() == 0
