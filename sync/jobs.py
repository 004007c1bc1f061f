"""The arq jobs: a sync run, and the minute tick of the schedule.

Jobs may run twice (a worker dies, Redis replays): each is idempotent. A
run's job id is derived from the run, and a run that is no longer queued is
not carried out again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from arq import Retry
from redis.asyncio import Redis
from sqlmodel import col, select

from runtime.logs import clear_context, get_logger
from store.db import session_scope
from store.models import RunStatus, SyncRun
from store.types import utcnow
from sync.engine.run import TenantBusy, execute_run
from sync.hubspot.uninstall import purge_uninstalled
from sync.locks import tenant_lock_key
from sync.queue import enqueue_run
from sync.runs import mark_finished
from sync.schedule import enqueue_due

log = get_logger(__name__)

BUSY_RETRY_S = 10
MAX_BUSY_TRIES = 60  # ten minutes of waiting for another run of the same tenant


async def run_sync(ctx: dict[str, Any], run_id: int) -> str:
    """Carry out one queued run; wait and retry while the tenant is busy."""
    clear_context()
    try:
        return await execute_run(run_id, redis=ctx["redis"])
    except TenantBusy:
        if ctx.get("job_try", 1) >= MAX_BUSY_TRIES:
            _fail_run(run_id, "another run of this tenant held it for too long")
            return RunStatus.FAILED
        raise Retry(defer=BUSY_RETRY_S) from None


async def schedule_tick(ctx: dict[str, Any]) -> None:
    """Each minute: queue due tenants, end abandoned runs, requeue lost jobs,
    and purge tenants uninstalled longer ago than the retention period."""
    now = utcnow()
    await enqueue_due(now)
    await fail_abandoned_runs(ctx["redis"])
    await requeue_lost_runs(now)
    purge_uninstalled(now)


async def fail_abandoned_runs(redis: Redis) -> list[int]:
    """Runs marked running whose tenant lock has expired lost their worker."""
    with session_scope() as session:
        running = list(
            session.exec(select(SyncRun).where(SyncRun.status == RunStatus.RUNNING))
        )
    abandoned = [
        run for run in running if not await redis.exists(tenant_lock_key(run.tenant_id))
    ]
    for run in abandoned:
        _fail_run(run.id, "the worker stopped during the run; the next run starts over")
    return [run.id for run in abandoned]


async def requeue_lost_runs(
    now: Any, *, older_than: timedelta = timedelta(minutes=2)
) -> None:
    """Hand queued runs to arq again; a run whose job still exists is left alone."""
    with session_scope() as session:
        waiting = list(
            session.exec(
                select(SyncRun.id).where(
                    SyncRun.status == RunStatus.QUEUED,
                    col(SyncRun.queued_at) < now - older_than,
                )
            )
        )
    for run_id in waiting:
        await enqueue_run(run_id)


def _fail_run(run_id: int, reason: str) -> None:
    with session_scope() as session:
        run = session.get(SyncRun, run_id)
        if run is not None and run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
            mark_finished(session, run, status=RunStatus.FAILED, error=reason)
    log.warning("sync_run.abandoned", run_id=run_id, reason=reason)
