"""One sync per tenant at a time, across every worker, through a Redis lock.

The lock expires by itself if its worker dies; a live worker renews it while
the run goes on, and releases it only if it still holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

LOCK_TTL_S = 120
RENEW_EVERY_S = 30

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


def tenant_lock_key(tenant_id: int) -> str:
    return f"lock:sync:tenant:{tenant_id}"


@asynccontextmanager
async def hold_lock(redis: Redis, key: str) -> AsyncIterator[bool]:
    """Yield True while holding `key`, or False at once when another holds it."""
    token = uuid.uuid4().hex
    acquired = await redis.set(key, token, nx=True, ex=LOCK_TTL_S)
    if not acquired:
        yield False
        return
    renewer = asyncio.create_task(_keep_renewed(redis, key, token))
    try:
        yield True
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer
        await redis.eval(_RELEASE, 1, key, token)


async def _keep_renewed(redis: Redis, key: str, token: str) -> None:
    while True:
        await asyncio.sleep(RENEW_EVERY_S)
        await redis.eval(_RENEW, 1, key, token, LOCK_TTL_S * 1000)
