"""The schedule and the upkeep of runs, against a real Redis queue and database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from arq import Retry
from redis.asyncio import Redis
from sqlmodel import select

from store.db import session_scope
from store.models import RunStatus, SyncRun, Tenant, TenantStatus
from store.types import utcnow
from sync.jobs import fail_abandoned_runs, requeue_lost_runs, run_sync
from sync.locks import hold_lock, tenant_lock_key
from sync.queue import QUEUE_NAME, run_job_id
from sync.runs import request_sync
from sync.schedule import enqueue_due


def add_tenant(name: str, **fields) -> int:
    with session_scope() as session:
        tenant = Tenant(hub_id=f"hub-{name.lower()}", name=name, **fields)
        session.add(tenant)
        session.flush()
        return tenant.id


async def queued_job_ids(redis: Redis) -> set[str]:
    return {job.decode() for job in await redis.zrange(QUEUE_NAME, 0, -1)}


async def test_due_tenants_are_queued_once_and_booked_for_later(db, redis):
    now = utcnow()
    due = add_tenant(
        "Due", schedule_interval_min=15, next_run_at=now - timedelta(minutes=1)
    )
    add_tenant(
        "Later", schedule_interval_min=15, next_run_at=now + timedelta(minutes=5)
    )
    add_tenant(
        "Paused",
        schedule_interval_min=15,
        next_run_at=now - timedelta(minutes=1),
        status=TenantStatus.DISABLED,
    )

    run_ids = await enqueue_due(now)

    assert len(run_ids) == 1
    assert await queued_job_ids(redis) == {run_job_id(run_ids[0])}
    with session_scope() as session:
        tenant = session.get(Tenant, due)
        run = session.get(SyncRun, run_ids[0])
    assert tenant.next_run_at == now + timedelta(minutes=15)
    assert (run.tenant_id, run.trigger) == (due, "schedule")
    assert await enqueue_due(now) == []


async def test_a_burst_of_requests_shares_the_waiting_run(db, redis):
    tenant_id = add_tenant("Burst")

    runs = [await request_sync(tenant_id, "hubspot_webhook") for _ in range(5)]

    assert len({run.id for run in runs}) == 1
    assert len(await queued_job_ids(redis)) == 1


async def test_a_running_run_without_its_lock_lost_its_worker(db, redis):
    alive_tenant, dead_tenant = add_tenant("Alive"), add_tenant("Dead")
    with session_scope() as session:
        for tenant_id in (alive_tenant, dead_tenant):
            session.add(
                SyncRun(tenant_id=tenant_id, trigger="manual", status="running")
            )

    async with hold_lock(redis, tenant_lock_key(alive_tenant)):
        failed = await fail_abandoned_runs(redis)

    with session_scope() as session:
        statuses = {
            run.tenant_id: (run.status, run.error)
            for run in session.exec(select(SyncRun))
        }
    assert len(failed) == 1
    assert statuses[alive_tenant][0] == RunStatus.RUNNING
    assert statuses[dead_tenant][0] == RunStatus.FAILED
    assert "worker stopped" in statuses[dead_tenant][1]


async def test_lost_jobs_of_waiting_runs_are_queued_again(db, redis):
    tenant_id = add_tenant("Lost")
    run = await request_sync(tenant_id)
    await redis.flushdb()  # as if Redis had lost its data

    await requeue_lost_runs(utcnow() + timedelta(minutes=5))

    assert await queued_job_ids(redis) == {run_job_id(run.id)}


async def test_a_busy_tenant_makes_the_job_come_back_later(db, redis):
    tenant_id = add_tenant("Busy")
    run = await request_sync(tenant_id)

    async with hold_lock(redis, tenant_lock_key(tenant_id)):
        with pytest.raises(Retry):
            await run_sync({"redis": redis, "job_try": 1}, run.id)
