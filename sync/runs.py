"""Sync runs: asking for one, following it, and recording how it went.

A run is created `queued` by whoever asks (the portal's "Sync now", the
schedule, a webhook) and carried out by an arq worker. A tenant with a run
still waiting gets that run back instead of a second one, so a burst of
webhooks costs one sync.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from store.db import session_scope
from store.models import RunStatus, SyncRun, Tenant, TenantStatus
from store.types import utcnow
from sync.errors import ConfigurationError
from sync.queue import enqueue_run

ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


def create_run(session: Session, tenant: Tenant, trigger: str) -> tuple[SyncRun, bool]:
    """The tenant's waiting run, or a new queued one; True when it is new."""
    if tenant.status != TenantStatus.ACTIVE:
        raise ConfigurationError(
            f"tenant {tenant.name!r} is {tenant.status}; "
            "enable or reconnect it before syncing",
            tenant_id=tenant.id,
        )
    waiting = session.exec(
        select(SyncRun).where(
            SyncRun.tenant_id == tenant.id, SyncRun.status == RunStatus.QUEUED
        )
    ).first()
    if waiting is not None:
        return waiting, False
    run = SyncRun(tenant_id=tenant.id, trigger=trigger)
    session.add(run)
    session.flush()
    return run, True


async def request_sync(tenant_id: int, trigger: str = "manual") -> SyncRun:
    """Queue a sync of the tenant and hand it to the workers."""
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            raise ConfigurationError(f"no tenant with id {tenant_id}")
        run, is_new = create_run(session, tenant, trigger)
    if is_new:
        job_id = await enqueue_run(run.id)
        with session_scope() as session:
            stored = session.get(SyncRun, run.id)
            stored.job_id = job_id
            run = stored
    return run


def get_run(tenant_id: int, run_id: int) -> SyncRun | None:
    with session_scope() as session:
        run = session.get(SyncRun, run_id)
        return run if run is not None and run.tenant_id == tenant_id else None


def list_runs(tenant_id: int, limit: int = 20) -> list[SyncRun]:
    with session_scope() as session:
        rows = session.exec(
            select(SyncRun)
            .where(SyncRun.tenant_id == tenant_id)
            .order_by(col(SyncRun.id).desc())
            .limit(limit)
        )
        return list(rows)


def mark_started(session: Session, run: SyncRun) -> None:
    run.status = RunStatus.RUNNING
    run.started_at = utcnow()
    run.phase = "starting"
    session.add(run)


def record_progress(
    session: Session,
    run: SyncRun,
    *,
    phase: str | None = None,
    done: int | None = None,
    total: int | None = None,
    counts: dict[str, int] | None = None,
    api_calls: dict[str, int] | None = None,
) -> None:
    if phase is not None:
        run.phase = phase
    if done is not None:
        run.progress_done = done
    if total is not None:
        run.progress_total = total
    if counts is not None:
        run.counts = dict(counts)
    if api_calls is not None:
        run.api_calls = dict(api_calls)
    session.add(run)


def mark_finished(
    session: Session, run: SyncRun, *, status: RunStatus, error: str = ""
) -> None:
    run.status = status
    run.finished_at = utcnow()
    run.phase = "finished"
    run.error = error
    session.add(run)


def run_summary(run: SyncRun) -> dict[str, Any]:
    """A run as plain values, for the portal and the HTTP API."""
    duration_s = None
    if run.started_at and run.finished_at:
        duration_s = round((run.finished_at - run.started_at).total_seconds(), 2)
    return {
        "id": run.id,
        "tenant_id": run.tenant_id,
        "trigger": run.trigger,
        "status": run.status,
        "phase": run.phase,
        "progress_done": run.progress_done,
        "progress_total": run.progress_total,
        "counts": dict(run.counts),
        "api_calls": dict(run.api_calls),
        "queued_at": run.queued_at.isoformat() if run.queued_at else "",
        "started_at": run.started_at.isoformat() if run.started_at else "",
        "finished_at": run.finished_at.isoformat() if run.finished_at else "",
        "duration_s": duration_s,
        "error": run.error,
    }
