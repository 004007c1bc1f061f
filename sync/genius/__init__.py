"""The Genius ERP side: the client, the connection setup, webhook signatures.

`open_genius(tenant_id, redis=redis)` gives the engine a `GeniusClient` for
a tenant's stored connection; `sync.genius.connection` tests and saves a
connection; `sync.genius.signatures` checks webhook deliveries. The API
these follow is written down in `docs/genius-erp-api.md`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from store.credentials import load_secret
from store.db import session_scope
from store.models import CredentialKind, Tenant
from sync.errors import ConfigurationError
from sync.genius.client import GeniusClient
from sync.genius.profile import GeniusProfile

__all__ = ["GeniusClient", "GeniusProfile", "open_genius"]


@asynccontextmanager
async def open_genius(
    tenant_id: int, *, redis: Redis | None = None
) -> AsyncIterator[GeniusClient]:
    """A client for the tenant's Genius company, closed on exit."""
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        secret = load_secret(session, tenant_id, CredentialKind.GENIUS)
    if tenant is None:
        raise ConfigurationError(f"no tenant with id {tenant_id}")
    if not tenant.genius_base_url or not tenant.genius_company or not secret:
        raise ConfigurationError(
            f"tenant {tenant.name!r} has no Genius connection: enter the Genius "
            "URL, company and API key in the settings page",
            tenant_id=tenant_id,
        )
    client = GeniusClient(
        tenant.genius_base_url,
        tenant.genius_company,
        secret["api_key"],
        timezone=tenant.genius_timezone,
        profile=GeniusProfile.from_dict(secret.get("profile")),
        redis=redis,
        tenant_id=tenant_id,
    )
    async with client:
        yield client
