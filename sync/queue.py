"""The arq queue: the portal and the webhooks only enqueue, workers do the work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from runtime.settings import get_settings
from sync.errors import ConfigurationError

QUEUE_NAME = "connector:sync"


def redis_settings(url: str | None = None) -> RedisSettings:
    url = url or get_settings().redis_url
    if not url:
        raise ConfigurationError(
            "REDIS_URL is not set: start the product with `make run` (it starts "
            "the embedded Redis) or point REDIS_URL at a Redis server"
        )
    return RedisSettings.from_dsn(url)


@asynccontextmanager
async def arq_pool(url: str | None = None) -> AsyncIterator[ArqRedis]:
    pool = await create_pool(redis_settings(url), default_queue_name=QUEUE_NAME)
    try:
        yield pool
    finally:
        await pool.aclose()


def run_job_id(run_id: int) -> str:
    """One arq job per run: a retried enqueue of the same run is a no-op."""
    return f"sync-run:{run_id}"


async def enqueue_run(run_id: int, *, url: str | None = None) -> str:
    job_id = run_job_id(run_id)
    async with arq_pool(url) as pool:
        await pool.enqueue_job("run_sync", run_id, _job_id=job_id)
    return job_id
