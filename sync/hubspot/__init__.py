"""The HubSpot side: OAuth install, the CRM client, signatures, uninstall.

`open_hubspot(tenant_id, redis=redis)` gives the engine a `HubSpotClient`
for an installed portal; `sync.hubspot.install` runs the OAuth install,
`sync.hubspot.signatures` checks requests from HubSpot, and
`sync.hubspot.uninstall` ends an install. The HubSpot app itself (scopes,
webhooks, redirect URL) is described in `docs/hubspot.md`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from runtime.settings import get_settings
from store.db import session_scope
from store.models import Tenant, TenantStatus
from sync.errors import AuthorizationNeeded, ConfigurationError
from sync.hubspot.batches import BatchResult, ItemFailure
from sync.hubspot.client import HubSpotClient
from sync.hubspot.tokens import TokenKeeper, load_tokens
from sync.hubspot.transport import (
    HubSpotTransport,
    PortalLimits,
    RetryPolicy,
    shared_http,
)

__all__ = [
    "BatchResult",
    "HubSpotClient",
    "ItemFailure",
    "RetryPolicy",
    "open_hubspot",
]

PAUSED = (TenantStatus.REAUTH_NEEDED, TenantStatus.UNINSTALLED)


@asynccontextmanager
async def open_hubspot(
    tenant_id: int,
    *,
    redis: Redis | None = None,
    retry: RetryPolicy | None = None,
    rate_limits: bool = True,
) -> AsyncIterator[HubSpotClient]:
    """A client for the tenant's portal; its tokens are refreshed when due.

    `rate_limits=False` skips the shared per-portal budget (benchmarks
    against a sandbox with its limits off); production always keeps it.
    """
    settings = get_settings()
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise ConfigurationError(f"no tenant with id {tenant_id}")
    if tenant.status in PAUSED:
        raise AuthorizationNeeded(
            tenant.status_reason or f"tenant {tenant.name!r} is {tenant.status}",
            system="hubspot",
            tenant_id=tenant_id,
        )
    if load_tokens(tenant_id) is None:
        raise AuthorizationNeeded(
            f"tenant {tenant.name!r} has no HubSpot tokens: install the app again",
            system="hubspot",
            tenant_id=tenant_id,
        )

    own_redis = redis is None
    if redis is None:
        if not settings.redis_url:
            raise ConfigurationError("REDIS_URL is not set; HubSpot calls need Redis")
        redis = Redis.from_url(settings.redis_url)
    hubspot = settings.hubspot
    transport = HubSpotTransport(
        shared_http(),
        hubspot.api_base,
        TokenKeeper(tenant_id, redis, hubspot),
        limits=PortalLimits(redis, tenant.hub_id, hubspot) if rate_limits else None,
        retry=retry or RetryPolicy(),
        tenant_id=tenant_id,
        timeout_s=hubspot.timeout_s,
    )
    try:
        yield HubSpotClient(transport, redis, tenant_id)
    finally:
        if own_redis:
            await redis.aclose()
