"""Token refresh (early, once across workers), refused refreshes, and the end
of an install: uninstall and purge."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from redis.asyncio import Redis
from sqlmodel import select

from store.db import session_scope
from store.models import Credential, LogEvent, Tenant, TenantStatus
from store.types import utcnow
from sync.errors import AuthorizationNeeded
from sync.hubspot import open_hubspot
from sync.hubspot.tokens import load_tokens, store_tokens
from sync.hubspot.uninstall import purge_uninstalled, uninstall_tenant
from tests.sync.hubspot.hubspot_fixtures import HUB_ID


def expire_stored_token(tenant_id: int) -> str:
    tokens = load_tokens(tenant_id)
    tokens.expires_at = utcnow() - timedelta(minutes=1)
    store_tokens(tenant_id, tokens)
    return tokens.access_token


def minted(running) -> int:
    return len(running.sandbox.world.access_tokens)


async def test_a_token_near_expiry_is_refreshed_before_the_call(
    tenant_id, redis, hubspot_sandbox
):
    old = expire_stored_token(tenant_id)
    before = minted(hubspot_sandbox)

    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        await hubspot.get_object("deals", "201", properties=["dealname"])
        first_calls = hubspot.calls

    stored = load_tokens(tenant_id)
    assert stored.access_token != old and stored.fresh()
    assert minted(hubspot_sandbox) == before + 1
    assert first_calls == 1  # no 401 on the way


@pytest.mark.parametrize("rotate", [False, True], ids=["same-refresh", "rotated"])
async def test_whatever_refresh_token_comes_back_is_stored(
    tenant_id, redis, hubspot_sandbox, rotate
):
    hubspot_sandbox.sandbox.faults.rotate_refresh_tokens = rotate
    before = load_tokens(tenant_id).refresh_token
    expire_stored_token(tenant_id)

    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        await hubspot.get_object("deals", "201", properties=["dealname"])

    after = load_tokens(tenant_id).refresh_token
    assert (after != before) is rotate
    assert after in hubspot_sandbox.sandbox.world.refresh_tokens


async def test_a_token_hubspot_expired_early_is_refreshed_once(
    tenant_id, redis, hubspot_sandbox
):
    for grant in hubspot_sandbox.sandbox.world.access_tokens.values():
        grant.expires_ms = 0

    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        deal = await hubspot.get_object("deals", "201", properties=["dealname"])

    assert deal["id"] == "201"
    assert hubspot.calls == 2  # the 401, then the same call with the new token


async def test_workers_refreshing_together_refresh_once(
    tenant_id, redis_url, redis, hubspot_sandbox
):
    expire_stored_token(tenant_id)
    before = minted(hubspot_sandbox)
    workers = [Redis.from_url(redis_url) for _ in range(5)]

    async def work(connection: Redis) -> str:
        async with open_hubspot(tenant_id, redis=connection) as hubspot:
            await hubspot.get_object("deals", "201", properties=["dealname"])
            return hubspot.transport.keeper.tokens.access_token

    used = await asyncio.gather(*(work(connection) for connection in workers))
    for connection in workers:
        await connection.aclose()

    assert minted(hubspot_sandbox) == before + 1
    assert len(set(used)) == 1
    assert used[0] == load_tokens(tenant_id).access_token


async def test_a_refused_refresh_pauses_the_tenant_and_stops_asking(
    tenant_id, redis, hubspot_sandbox
):
    world = hubspot_sandbox.sandbox.world
    world.refresh_tokens.clear()  # revoked in HubSpot
    expire_stored_token(tenant_id)

    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        with pytest.raises(AuthorizationNeeded) as caught:
            await hubspot.get_object("deals", "201", properties=["dealname"])
    minted_after_refusal = minted(hubspot_sandbox)

    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
    assert caught.value.system == "hubspot"
    assert tenant.status == TenantStatus.REAUTH_NEEDED
    assert "Install the app again" in tenant.status_reason
    with pytest.raises(AuthorizationNeeded):
        async with open_hubspot(tenant_id, redis=redis):
            pass
    assert minted(hubspot_sandbox) == minted_after_refusal


async def test_an_app_removed_in_hubspot_is_reported_as_reauth(
    tenant_id, redis, hubspot_sandbox
):
    world = hubspot_sandbox.sandbox.world
    world.installs.clear()  # tokens still exist, the install does not

    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        with pytest.raises(AuthorizationNeeded, match="no longer installed"):
            await hubspot.get_object("deals", "201", properties=["dealname"])

    with session_scope() as session:
        assert session.get(Tenant, tenant_id).status == TenantStatus.REAUTH_NEEDED


async def test_a_disconnect_uninstalls_in_hubspot_and_wipes_tokens(
    tenant_id, redis, hubspot_sandbox
):
    world = hubspot_sandbox.sandbox.world

    await uninstall_tenant(tenant_id, redis=redis, notify_hubspot=True)

    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        credentials = session.exec(select(Credential)).all()
    assert (777001, HUB_ID) not in world.installs
    assert not world.refresh_tokens and not world.access_tokens
    assert tenant.status == TenantStatus.UNINSTALLED
    assert tenant.purge_after - tenant.uninstalled_at == timedelta(days=30)
    assert credentials == []


async def test_purge_removes_the_tenant_after_retention_only(tenant_id, redis):
    await uninstall_tenant(tenant_id, redis=redis)
    with session_scope() as session:
        purge_after = session.get(Tenant, tenant_id).purge_after

    early = purge_uninstalled(purge_after - timedelta(seconds=1))
    late = purge_uninstalled(purge_after + timedelta(seconds=1))

    with session_scope() as session:
        assert session.get(Tenant, tenant_id) is None
        assert session.exec(select(LogEvent)).all() == []
    assert (early, late) == (0, 1)
