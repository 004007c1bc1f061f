"""The schedule: which tenants are due for a sync, asked every minute by cron."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from runtime.logs import get_logger
from store.db import session_scope
from store.models import Tenant, TenantStatus
from sync.runs import request_sync

log = get_logger(__name__)


def due_tenants(now: datetime) -> list[int]:
    """Active tenants whose next scheduled run is at or before `now`."""
    with session_scope() as session:
        rows = session.exec(
            select(Tenant.id).where(
                Tenant.status == TenantStatus.ACTIVE,
                col(Tenant.schedule_interval_min).is_not(None),
                col(Tenant.next_run_at).is_not(None),
                col(Tenant.next_run_at) <= now,
            )
        )
        return list(rows)


def book_next_run(tenant_id: int, now: datetime) -> None:
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None or tenant.schedule_interval_min is None:
            return
        tenant.next_run_at = now + timedelta(minutes=tenant.schedule_interval_min)
        session.add(tenant)


async def enqueue_due(now: datetime) -> list[int]:
    """Queue a run for every due tenant; returns the run ids."""
    run_ids = []
    for tenant_id in due_tenants(now):
        book_next_run(tenant_id, now)
        run = await request_sync(tenant_id, trigger="schedule")
        run_ids.append(run.id)
        log.info("schedule.enqueued", tenant_id=tenant_id, run_id=run.id)
    return run_ids
