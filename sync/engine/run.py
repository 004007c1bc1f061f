"""One sync run of one tenant, as the arq job carries it out.

Steps: take the tenant's lock, mark the run started, open both clients,
load the mapping, read what changed, sync deals in batches, sync linked
companies, advance the cursors, mark the run finished. A record's error
never stops the run; an error of the run itself (authorisation, a limit,
a system down) stops it, sets the tenant's status when a person must act,
and leaves the cursors where they were so nothing is skipped.
"""

from __future__ import annotations

import time
from typing import Any

from redis.asyncio import Redis

from mapping.compiler import compile_mapping
from mapping.document import load_mapping
from mapping.presets import default_mapping
from mapping.problems import MappingInvalid
from runtime.logs import bind_context, get_logger
from store.db import session_scope
from store.models import RunStatus, SyncRun, Tenant, TenantStatus
from sync.engine.batches import DealBatches, sync_company_pairs
from sync.engine.changes import advance_cursors, deals_to_sync, read_changes
from sync.engine.customers import CustomerLinker
from sync.engine.recorder import RunRecorder
from sync.engine.scope import RunScope, chunks, closed_stage_ids
from sync.errors import (
    AuthorizationNeeded,
    ConfigurationError,
    ConnectorError,
    TenantParked,
)
from sync.genius import open_genius
from sync.hubspot import open_hubspot
from sync.locks import hold_lock, tenant_lock_key
from sync.runs import mark_finished, mark_started

log = get_logger(__name__)


class TenantBusy(Exception):
    """Another worker is syncing this tenant; the job should come back later."""


async def execute_run(run_id: int, *, redis: Redis) -> str:
    """Carry out run `run_id`; returns its final status."""
    with session_scope() as session:
        run = session.get(SyncRun, run_id)
        if run is None or run.status != RunStatus.QUEUED:
            return run.status if run else "missing"
        tenant_id = run.tenant_id
    bind_context(tenant_id=tenant_id, run_id=run_id)

    async with hold_lock(redis, tenant_lock_key(tenant_id)) as held:
        if not held:
            raise TenantBusy(f"tenant {tenant_id} is being synced by another run")
        return await _run_locked(run_id, tenant_id, redis)


async def _run_locked(run_id: int, tenant_id: int, redis: Redis) -> str:
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        run = session.get(SyncRun, run_id)
        if tenant.status != TenantStatus.ACTIVE:
            mark_finished(
                session,
                run,
                status=RunStatus.FAILED,
                error=f"tenant is {tenant.status}: {tenant.status_reason}".strip(": "),
            )
            return RunStatus.FAILED
        mark_started(session, run)
    log.info("sync_run.started", trigger=run.trigger)

    started = time.monotonic()
    recorder = RunRecorder(tenant_id, run_id)
    status, error = RunStatus.SUCCEEDED, ""
    clients: dict[str, Any] = {}
    try:
        async with (
            open_hubspot(tenant_id, redis=redis) as hubspot,
            open_genius(tenant_id, redis=redis) as genius,
        ):
            clients.update(hubspot=hubspot, genius=genius)
            await _sync(tenant, run_id, hubspot, genius, recorder)
        if recorder.counts["errors"]:
            status = RunStatus.PARTIAL
    except ConnectorError as stop:
        status, error = RunStatus.FAILED, stop.message
        _pause_tenant_if_needed(tenant_id, stop)
        recorder.event("sync_run.stopped", stop.message, level="error")
    except Exception as crash:  # the run must end with a status, whatever happened
        status = RunStatus.FAILED
        error = f"internal error ({type(crash).__name__}); see the worker's log"
        log.exception("sync_run.crashed")
        recorder.event("sync_run.stopped", error, level="error")

    recorder.api_calls = {name: client.calls for name, client in clients.items()}
    recorder.flush(force=True)
    with session_scope() as session:
        mark_finished(session, session.get(SyncRun, run_id), status=status, error=error)
    log.info(
        "sync_run.finished",
        status=str(status),
        duration_s=round(time.monotonic() - started, 2),
        **dict(recorder.counts),
        api_calls=recorder.api_calls,
    )
    return status


async def _sync(
    tenant: Tenant, run_id: int, hubspot: Any, genius: Any, recorder: RunRecorder
) -> None:
    recorder.enter_phase("loading mapping")
    pipelines = await hubspot.pipelines("deals")
    scope = RunScope(
        tenant=tenant,
        run_id=run_id,
        hubspot=hubspot,
        genius=genius,
        mapping=_compiled_mapping(tenant, pipelines),
        recorder=recorder,
        closed_stages=closed_stage_ids(pipelines),
    )
    customers = CustomerLinker(scope)

    recorder.enter_phase("reading changes")
    changes = await read_changes(scope, customers.properties)
    await customers.load_customers()
    deal_ids = deals_to_sync(scope, changes)

    recorder.enter_phase("syncing deals", total=len(deal_ids))
    batches = DealBatches(scope, customers)
    for batch in chunks(deal_ids):
        await batches.sync_batch(batch, changes)
    batches.report_skipped()

    recorder.enter_phase("syncing companies")
    await sync_company_pairs(scope, customers, changes)
    advance_cursors(scope, changes)


def _compiled_mapping(tenant: Tenant, pipelines: list[dict[str, Any]]) -> Any:
    """The tenant's mapping, or the preset for its pipelines (then kept)."""
    document = tenant.mapping
    if not document:
        document = default_mapping(pipelines)
        with session_scope() as session:
            stored = session.get(Tenant, tenant.id)
            stored.mapping = document
            session.add(stored)
    try:
        return compile_mapping(
            load_mapping(document), genius_timezone=tenant.genius_timezone
        )
    except MappingInvalid as invalid:
        raise ConfigurationError(
            f"{invalid}; correct the tenant's mapping and sync again",
            tenant_id=tenant.id,
        ) from None


def _pause_tenant_if_needed(tenant_id: int, stop: ConnectorError) -> None:
    """Errors a person must act on pause the tenant, saying why."""
    if isinstance(stop, AuthorizationNeeded):
        status = TenantStatus.REAUTH_NEEDED
    elif isinstance(stop, TenantParked):
        status = TenantStatus.PARKED
    else:
        return
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        tenant.status = status
        tenant.status_reason = stop.message
        session.add(tenant)
