"""The arq worker: `arq sync.worker.WorkerSettings` (needs REDIS_URL).

Imports the engine and the store, never the Reflex app.
"""

from __future__ import annotations

import logging
from typing import Any

from arq import cron

from runtime.logs import configure_logging, get_logger
from runtime.settings import get_settings
from sync.jobs import run_sync, schedule_tick
from sync.queue import QUEUE_NAME
from sync.queue import redis_settings as make_redis_settings

log = get_logger(__name__)


async def startup(ctx: dict[str, Any]) -> None:
    settings = get_settings()
    configure_logging(json_logs=settings.json_logs, level=settings.log_level)
    # arq's command line gives its loggers a handler of their own; without it
    # their lines reach ours once, in the product's format, instead of twice.
    logging.getLogger("arq").handlers.clear()
    log.info("worker.started", queue=QUEUE_NAME, env=settings.app_env)


class WorkerSettings:
    functions = (run_sync,)
    cron_jobs = (cron(schedule_tick, second=0, run_at_startup=True),)
    queue_name = QUEUE_NAME
    redis_settings = make_redis_settings()
    on_startup = startup
    max_jobs = 10
    job_timeout = 3600
    max_tries = 60
    keep_result = 300
