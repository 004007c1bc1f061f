"""Tenants as the portal and the HubSpot settings page see them.

Every function takes the tenant it works on; nothing here reads a tenant
named by a request without the caller having checked who asks.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from sqlmodel import col, select

from runtime.settings import get_settings
from store.db import session_scope
from store.models import Credential, CredentialKind, SyncRun, Tenant, TenantStatus
from store.types import utcnow
from sync.errors import ConfigurationError
from sync.hubspot.uninstall import uninstall_tenant

MIN_INTERVAL_MIN = 5
MAX_INTERVAL_MIN = 7 * 24 * 60


def list_tenants() -> list[Tenant]:
    with session_scope() as session:
        return list(session.exec(select(Tenant).order_by(col(Tenant.name))))


def get_tenant(tenant_id: int) -> Tenant:
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise ConfigurationError(f"no tenant with id {tenant_id}")
    return tenant


def find_tenant_by_hub(hub_id: str) -> Tenant | None:
    with session_scope() as session:
        return session.exec(select(Tenant).where(Tenant.hub_id == str(hub_id))).first()


def set_enabled(tenant_id: int, enabled: bool, *, reason: str = "") -> Tenant:
    """Pause or resume a tenant; a paused tenant is skipped by every trigger."""
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            raise ConfigurationError(f"no tenant with id {tenant_id}")
        if tenant.status == TenantStatus.UNINSTALLED:
            raise ConfigurationError(
                f"tenant {tenant.name!r} is uninstalled; it comes back only "
                "when its HubSpot portal installs the app again",
                tenant_id=tenant_id,
            )
        if enabled:
            tenant.status = TenantStatus.ACTIVE
            tenant.status_reason = ""
        else:
            tenant.status = TenantStatus.DISABLED
            tenant.status_reason = reason or "disabled by an operator"
        session.add(tenant)
        return tenant


async def disconnect(tenant_id: int, *, by: str) -> Tenant:
    """Disconnect from our side: HubSpot's uninstall API, then tokens wiped.

    The tenant's data is purged after the retention period, as after an
    uninstall in HubSpot.
    """
    async with Redis.from_url(get_settings().redis_url) as redis:
        await uninstall_tenant(
            tenant_id, redis=redis, notify_hubspot=True, reason=f"disconnected by {by}"
        )
    return get_tenant(tenant_id)


def set_schedule(tenant_id: int, interval_min: int | None) -> Tenant:
    """Sync every `interval_min` minutes, or never on a schedule with None."""
    if interval_min is not None and not (
        MIN_INTERVAL_MIN <= interval_min <= MAX_INTERVAL_MIN
    ):
        raise ConfigurationError(
            f"schedule interval {interval_min!r} minutes is out of range: "
            f"choose between {MIN_INTERVAL_MIN} and {MAX_INTERVAL_MIN}, "
            "or turn the schedule off",
            tenant_id=tenant_id,
        )
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            raise ConfigurationError(f"no tenant with id {tenant_id}")
        tenant.schedule_interval_min = interval_min
        tenant.next_run_at = (
            None if interval_min is None else utcnow() + timedelta(minutes=interval_min)
        )
        session.add(tenant)
        return tenant


def tenant_summary(tenant: Tenant) -> dict[str, Any]:
    """A tenant as plain values, with its latest run, for lists and cards.

    Of the Genius API key only its hint (last characters) is ever shown.
    """
    with session_scope() as session:
        last = session.exec(
            select(SyncRun)
            .where(SyncRun.tenant_id == tenant.id)
            .order_by(col(SyncRun.id).desc())
        ).first()
        key = session.exec(
            select(Credential).where(
                Credential.tenant_id == tenant.id,
                Credential.kind == CredentialKind.GENIUS,
            )
        ).first()
    return {
        "id": tenant.id,
        "hub_id": tenant.hub_id,
        "name": tenant.name,
        "status": tenant.status,
        "status_reason": tenant.status_reason,
        "genius_base_url": tenant.genius_base_url,
        "genius_company": tenant.genius_company,
        "genius_key_hint": key.hint if key else "",
        "schedule_interval_min": tenant.schedule_interval_min,
        "next_run_at": tenant.next_run_at.isoformat() if tenant.next_run_at else "",
        "last_run_status": last.status if last else "",
        "last_run_at": (last.finished_at or last.queued_at).isoformat() if last else "",
    }
