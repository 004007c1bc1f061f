"""Retries, rate limits and timeouts of the HubSpot client, against faults the
sandbox injects on purpose."""

from __future__ import annotations

import asyncio
import time

import pytest

from runtime.settings import get_settings
from sync.errors import RateLimited, RetriableError, TenantParked
from sync.hubspot import RetryPolicy, open_hubspot
from tests.sync.hubspot.hubspot_fixtures import FAST_RETRY


@pytest.mark.parametrize(
    ("faults", "calls"),
    [
        ({"storm_429": 2}, 3),
        ({"storm_429": 1, "storm_policy": "SECONDLY"}, 2),
        ({"error_rate": 1.0, "error_statuses": [502]}, None),
    ],
    ids=["ten-secondly-storm", "secondly-storm", "bad-gateway-always"],
)
async def test_transient_answers_are_retried(
    tenant_id, redis, hubspot_sandbox, faults, calls
):
    hubspot_sandbox.sandbox.faults.update(faults)

    async with open_hubspot(tenant_id, redis=redis, retry=FAST_RETRY) as hubspot:
        if calls is None:
            with pytest.raises(RetriableError) as caught:
                await hubspot.update_object("deals", "201", {"dealname": "x"})
            assert hubspot.calls == FAST_RETRY.attempts
            assert caught.value.failure.status == 502
            return
        await hubspot.update_object("deals", "201", {"dealname": "retried"})
        assert hubspot.calls == calls


async def test_a_write_is_retried_and_lands_once(tenant_id, redis, hubspot_sandbox):
    sandbox = hubspot_sandbox.sandbox
    sandbox.faults.update({"storm_429": 2})
    before = len(sandbox.world.portals[62515].records["deals"])

    async with open_hubspot(tenant_id, redis=redis, retry=FAST_RETRY) as hubspot:
        await hubspot.batch_create("deals", [{"properties": {"dealname": "once"}}])

    assert len(sandbox.world.portals[62515].records["deals"]) == before + 1


async def test_retry_after_is_honoured(tenant_id, redis, hubspot_sandbox):
    hubspot_sandbox.sandbox.faults.update({"storm_429": 2, "retry_after_s": 0.3})

    async with open_hubspot(tenant_id, redis=redis, retry=FAST_RETRY) as hubspot:
        started = time.monotonic()
        await hubspot.get_object("deals", "201", properties=["dealname"])
        elapsed = time.monotonic() - started

    assert elapsed >= 0.6


async def test_a_storm_longer_than_the_retries_is_rate_limited(
    tenant_id, redis, hubspot_sandbox
):
    hubspot_sandbox.sandbox.faults.update({"storm_429": 50})

    async with open_hubspot(tenant_id, redis=redis, retry=FAST_RETRY) as hubspot:
        with pytest.raises(RateLimited) as caught:
            await hubspot.get_object("deals", "201", properties=["dealname"])

    assert caught.value.failure.category == "TEN_SECONDLY_ROLLING"
    assert caught.value.retry_after_s > 0


async def test_a_daily_limit_parks_the_tenant_at_once(
    tenant_id, redis, hubspot_sandbox
):
    hubspot_sandbox.sandbox.faults.update({"daily_limit_reached": True})

    async with open_hubspot(tenant_id, redis=redis, retry=FAST_RETRY) as hubspot:
        with pytest.raises(TenantParked, match="daily API limit"):
            await hubspot.get_object("deals", "201", properties=["dealname"])
        assert hubspot.calls == 1


async def test_a_timeout_is_retried_then_reported(
    tenant_id, redis, hubspot_sandbox, monkeypatch
):
    monkeypatch.setattr(get_settings().hubspot, "timeout_s", 0.2)
    hubspot_sandbox.sandbox.faults.update({"latency_ms": 400})
    retry = RetryPolicy(attempts=2, base_s=0.01, cap_s=0.02)

    async with open_hubspot(tenant_id, redis=redis, retry=retry) as hubspot:
        with pytest.raises(RetriableError, match="timed out") as caught:
            await hubspot.get_object("deals", "201", properties=["dealname"])

    assert caught.value.failure.category == "TIMEOUT"
    assert hubspot.calls == 2


async def test_the_shared_limit_holds_a_call_instead_of_meeting_a_429(
    tenant_id, redis, hubspot_sandbox, monkeypatch
):
    """Past the portal's budget the next call waits; HubSpot never answers 429."""
    sandbox = hubspot_sandbox.sandbox
    sandbox.faults.update({"general_limit": 15})
    sandbox.limits.general.clear()
    await redis.delete("ratelimit:hubspot:62515:general")
    monkeypatch.setattr(get_settings().hubspot, "general_limit_per_10s", 15)

    async with open_hubspot(tenant_id, redis=redis, retry=RetryPolicy(1)) as hubspot:
        for _ in range(15):
            await hubspot.get_object("deals", "201", properties=["dealname"])
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(
                hubspot.get_object("deals", "201", properties=["dealname"]), 0.5
            )

    assert hubspot.calls == 15


async def test_search_has_its_own_budget_of_five_per_second(tenant_id, redis):
    body = {"filterGroups": [], "limit": 1}

    async with open_hubspot(
        tenant_id, redis=redis, retry=RetryPolicy(attempts=1)
    ) as hs:
        started = time.monotonic()
        for _ in range(11):
            await hs.search("deals", body)
        elapsed = time.monotonic() - started

    # 11 searches at 5 per rolling second need two full windows.
    assert elapsed >= 2.0
