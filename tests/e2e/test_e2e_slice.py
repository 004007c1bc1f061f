"""The walking slice, end to end, through real processes.

The launcher starts both sandboxes, an embedded Redis, an arq worker and our
HTTP API on free ports, installs the demo portal through the real OAuth flow
and connects Genius. The test then does what the portal's "Sync now" does
(`request_sync`) and watches the run the worker carries out.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from runtime.launcher import launched_stack
from runtime.settings import ROOT_DIR, get_settings
from store.models import SyncRun
from sync.hubspot import open_hubspot
from sync.runs import get_run, request_sync

pytestmark = pytest.mark.e2e

FIXTURES = ROOT_DIR / "sandbox" / "fixtures"
FINISHED = ("succeeded", "partial", "failed")


@pytest.fixture
def stack(db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    with launched_stack(tmp_path / "stack") as ready:
        settings = get_settings()
        monkeypatch.setattr(settings, "redis_url", ready["redis_url"])
        monkeypatch.setattr(settings.hubspot, "api_base", ready["hubspot_url"])
        yield ready


async def sync_and_wait(tenant_id: int, timeout_s: float = 180) -> SyncRun:
    run = await request_sync(tenant_id, "manual")
    deadline = asyncio.get_running_loop().time() + timeout_s
    while (current := get_run(tenant_id, run.id)).status not in FINISHED:
        assert asyncio.get_running_loop().time() < deadline, current.phase
        await asyncio.sleep(0.5)
    return current


def genius_client(ready: dict[str, Any]) -> httpx.AsyncClient:
    company = json.loads((FIXTURES / "genius_demo.json").read_text())["companies"][0]
    return httpx.AsyncClient(
        base_url=f"{ready['genius_url']}/api/v1",
        headers={
            "X-Genius-Api-Key": company["api_keys"][0],
            "X-Genius-Company": company["code"],
        },
    )


async def quotes_by_deal(ready: dict[str, Any]) -> dict[str, dict[str, Any]]:
    async with genius_client(ready) as erp:
        answer = await erp.get("/quotes", params={"pageSize": 500})
    answer.raise_for_status()
    return {
        quote["ExternalReference"].removeprefix("HS-DEAL-"): quote
        for quote in answer.json()["Data"]
        if quote["ExternalReference"].startswith("HS-DEAL-")
    }


async def read_deal(
    ready: dict[str, Any], deal_id: str, *properties: str
) -> dict[str, Any]:
    async with (
        Redis.from_url(ready["redis_url"]) as redis,
        open_hubspot(ready["tenant_id"], redis=redis) as hubspot,
    ):
        return (
            await hubspot.get_object("deals", deal_id, properties=list(properties))
        )["properties"]


async def test_sync_now_makes_quotes_then_nothing_then_follows_a_status(stack):
    tenant_id = stack["tenant_id"]

    first = await sync_and_wait(tenant_id)

    assert first.status in ("succeeded", "partial"), first.error
    quotes = await quotes_by_deal(stack)
    assert first.counts["created"] == len(quotes) >= 30
    deal_id, quote = next(iter(quotes.items()))
    written = await read_deal(stack, deal_id, "genius_quote_number")
    assert written["genius_quote_number"] == quote["Number"]
    assert all(quote["Lines"] for quote in quotes.values())

    second = await sync_and_wait(tenant_id)

    assert second.counts.get("created", 0) == 0
    assert second.counts.get("updated", 0) == 0
    assert await quotes_by_deal(stack) == quotes

    async with genius_client(stack) as erp:
        answer = await erp.patch(f"/quotes/{quote['Number']}", json={"Status": 30})
        assert answer.status_code == 200, answer.text
    third = await sync_and_wait(tenant_id)

    assert third.counts["updated"] == 1
    deal = await read_deal(
        stack, deal_id, "pipeline", "dealstage", "genius_quote_status"
    )
    assert deal["genius_quote_status"] == "accepted"
    assert deal["dealstage"] in ("closedwon", "7000012")
