"""Ending an install: the tenant stops, its tokens go, its data goes later.

Two ways in. The customer uninstalls in HubSpot: the app-uninstall event
arrives (or a refresh is refused) and the tokens are already dead. The
customer disconnects in our portal: HubSpot's uninstall API is called with
the portal's token and the refresh token is revoked, as the Marketplace
requires. Either way the tenant is marked uninstalled and its HubSpot
tokens are wiped at once; everything else of it is purged after
`UNINSTALL_RETENTION_DAYS` by `purge_uninstalled`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from redis.asyncio import Redis
from sqlmodel import col, select

from runtime.logs import get_logger
from runtime.settings import get_settings
from store.db import session_scope
from store.models import Credential, CredentialKind, Tenant, TenantStatus
from store.types import utcnow
from sync.activity import record_event
from sync.errors import ConfigurationError
from sync.hubspot import open_hubspot
from sync.hubspot.tokens import load_tokens, oauth_client

log = get_logger(__name__)

UNINSTALL_PATH = "/appinstalls/{version}/external-install"


async def tell_hubspot(tenant_id: int, redis: Redis) -> None:
    """Uninstall through HubSpot's API, then revoke the refresh token."""
    hubspot = get_settings().hubspot
    tokens = load_tokens(tenant_id)
    async with open_hubspot(tenant_id, redis=redis) as client:
        path = UNINSTALL_PATH.format(version=hubspot.oauth_version)
        await client.transport.request("DELETE", path)
    if tokens is None:
        return
    url = f"{hubspot.api_base.rstrip('/')}/oauth/{hubspot.oauth_version}/token/revoke"
    try:
        async with oauth_client(hubspot) as oauth:
            await oauth.request(
                "POST",
                url,
                data={
                    "client_id": hubspot.client_id,
                    "client_secret": hubspot.client_secret.get_secret_value(),
                    "token": tokens.refresh_token,
                    "token_type_hint": "refresh_token",
                },
                withhold_token=True,
            )
    except httpx.HTTPError as error:
        # The uninstall already killed the token; a failed revoke changes nothing.
        log.warning(
            "hubspot.revoke_failed", tenant_id=tenant_id, error=type(error).__name__
        )


async def uninstall_tenant(
    tenant_id: int,
    *,
    redis: Redis | None = None,
    notify_hubspot: bool = False,
    reason: str = "",
) -> None:
    """Mark the tenant uninstalled and wipe its HubSpot tokens.

    `notify_hubspot=True` is the disconnect from our side: HubSpot's
    uninstall API is called first (a failure there stops the disconnect, so
    it can be tried again).
    """
    if notify_hubspot:
        if redis is None:
            raise ConfigurationError("a disconnect needs Redis to call HubSpot")
        await tell_hubspot(tenant_id, redis)
    settings = get_settings()
    now = utcnow()
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            raise ConfigurationError(f"no tenant with id {tenant_id}")
        tenant.status = TenantStatus.UNINSTALLED
        tenant.status_reason = reason or (
            "disconnected from the portal"
            if notify_hubspot
            else "the app was uninstalled in HubSpot"
        )
        tenant.uninstalled_at = now
        tenant.purge_after = now + timedelta(days=settings.uninstall_retention_days)
        tenant.next_run_at = None
        session.add(tenant)
        for row in session.exec(
            select(Credential).where(
                Credential.tenant_id == tenant_id,
                Credential.kind == CredentialKind.HUBSPOT,
            )
        ):
            session.delete(row)
        record_event(
            session,
            tenant_id=tenant_id,
            event="hubspot.uninstalled",
            level="warning",
            message=f"{tenant.status_reason}; data purged after "
            f"{tenant.purge_after.date().isoformat()}",
        )


def purge_uninstalled(now: datetime | None = None) -> int:
    """Delete uninstalled tenants whose retention has passed; returns how many."""
    now = now or utcnow()
    purged = 0
    with session_scope() as session:
        due = session.exec(
            select(Tenant).where(
                Tenant.status == TenantStatus.UNINSTALLED,
                col(Tenant.purge_after).is_not(None),
                col(Tenant.purge_after) <= now,
            )
        )
        for tenant in due:
            # Rows of the tenant in every table go with it (ON DELETE CASCADE).
            session.delete(tenant)
            purged += 1
            log.info("tenant.purged", tenant_id=tenant.id, hub_id=tenant.hub_id)
    return purged
