"""One sync run against both sandboxes over real HTTP, a real Redis and database.

The world of engine_fixtures.py: each deal there is made to exercise one rule.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlmodel import select

from store.credentials import load_secret
from store.db import session_scope
from store.models import Link, ReviewItem, SyncRun, Tenant
from sync.activity import EventFilter, query_events
from sync.engine.run import execute_run
from sync.errors import ConfigurationError
from sync.hubspot import open_hubspot
from sync.runs import create_run, get_run
from sync.tenants import disconnect, get_tenant, tenant_summary
from tests.sync.engine.engine_fixtures import HUB_ID, World


async def sync_once(world: World) -> SyncRun:
    with session_scope() as session:
        tenant = session.get(Tenant, world.tenant_id)
        run, _ = create_run(session, tenant, "manual")
    await execute_run(run.id, redis=world.redis)
    return get_run(world.tenant_id, run.id)


async def genius_quotes(world: World) -> dict[str, dict[str, Any]]:
    async with world.erp() as erp:
        answer = await erp.get("/quotes", params={"pageSize": 500})
    answer.raise_for_status()
    return {quote["ExternalReference"]: quote for quote in answer.json()["Data"]}


async def deal(world: World, deal_id: str, *properties: str) -> dict[str, Any]:
    async with open_hubspot(world.tenant_id, redis=world.redis) as hubspot:
        record = await hubspot.get_object("deals", deal_id, properties=list(properties))
    return record["properties"]


async def test_first_run_makes_a_quote_for_each_open_deal_and_holds_the_rest(world):
    run = await sync_once(world)

    quotes = await genius_quotes(world)
    assert sorted(quotes) == ["HS-DEAL-201", "HS-DEAL-202", "HS-DEAL-207"]
    assert quotes["HS-DEAL-201"]["CustomerCode"] == "ACILEV"  # matched by domain
    assert [line["ItemCode"] for line in quotes["HS-DEAL-201"]["Lines"]] == [
        "SUP-100",
        "VIS-200",
    ]
    assert quotes["HS-DEAL-202"]["Currency"] == "USD"
    number = (await deal(world, "201", "genius_quote_number"))["genius_quote_number"]
    assert number == quotes["HS-DEAL-201"]["Number"]

    assert run.status == "partial"
    sparse = quotes["HS-DEAL-207"]  # the ERP's defaults where HubSpot had nothing
    assert sparse["ExpiryDate"] and sparse["Lines"][0]["DiscountPercent"] == 0
    assert run.counts["created"] == 3
    assert run.counts["skipped"] == 1  # 203 is closed won
    assert run.counts["errors"] == 3  # 205 unknown SKU, 206 no company, 208 quantity
    assert run.counts["held"] == 1  # 204 matches two customers
    with session_scope() as session:
        waiting = {
            item.hubspot_id: item.summary
            for item in session.exec(
                select(ReviewItem).where(ReviewItem.status == "open")
            )
            if item.object_kind == "deal"
        }
    assert set(waiting) == {"204", "205", "206", "208"}
    assert "NOPE-1" in waiting["205"]
    assert "no associated company" in waiting["206"]
    assert "'quantity'" in waiting["208"] and "'-5'" in waiting["208"]


async def test_a_second_run_writes_nothing_and_duplicates_nothing(world):
    await sync_once(world)
    before = await genius_quotes(world)
    deals_before = [await deal(world, i, "hs_lastmodifieddate") for i in ("201", "202")]

    run = await sync_once(world)

    after = await genius_quotes(world)
    assert after == before  # ModifiedAt included: Genius saw no write
    assert [await deal(world, i, "hs_lastmodifieddate") for i in ("201", "202")] == (
        deals_before
    )
    assert run.counts.get("created", 0) == 0
    assert run.counts.get("updated", 0) == 0
    assert run.counts.get("customers_created", 0) == 0


async def test_a_status_changed_in_genius_moves_the_deal_to_the_paired_stage(world):
    await sync_once(world)
    quotes = await genius_quotes(world)
    async with world.erp() as erp:
        for reference in ("HS-DEAL-201", "HS-DEAL-202"):
            answer = await erp.patch(
                f"/quotes/{quotes[reference]['Number']}", json={"Status": 30}
            )
            assert answer.status_code == 200, answer.text

    run = await sync_once(world)

    assert run.counts["updated"] == 2
    default = await deal(world, "201", "dealstage", "genius_quote_status")
    assert default == {
        **default,
        "dealstage": "closedwon",
        "genius_quote_status": "accepted",
    }
    custom = await deal(world, "202", "pipeline", "dealstage")
    assert (custom["pipeline"], custom["dealstage"]) == ("7000001", "7000012")


async def test_a_deal_renamed_in_hubspot_renames_its_quote(world):
    await sync_once(world)
    async with open_hubspot(world.tenant_id, redis=world.redis) as hubspot:
        await hubspot.update_object(
            "deals", "201", {"dealname": "Supports soudés — lot 2"}
        )

    await sync_once(world)

    assert (await genius_quotes(world))["HS-DEAL-201"][
        "Title"
    ] == "Supports soudés — lot 2"


async def test_a_lost_link_is_found_again_by_the_quote_reference(world):
    await sync_once(world)
    with session_scope() as session:
        for link in session.exec(select(Link).where(Link.kind == "deal")):
            session.delete(link)

    run = await sync_once(world)

    assert sorted(await genius_quotes(world)) == [
        "HS-DEAL-201",
        "HS-DEAL-202",
        "HS-DEAL-207",
    ]
    assert run.counts.get("created", 0) == 0


async def test_a_fixed_record_syncs_on_the_next_run_and_its_hold_is_resolved(world):
    await sync_once(world)
    async with open_hubspot(world.tenant_id, redis=world.redis) as hubspot:
        await hubspot.update_object("line_items", "404", {"hs_sku": "SUP-100"})

    run = await sync_once(world)

    assert "HS-DEAL-205" in await genius_quotes(world)
    assert run.counts["created"] == 1
    with session_scope() as session:
        open_items = session.exec(
            select(ReviewItem).where(
                ReviewItem.status == "open", ReviewItem.hubspot_id == "205"
            )
        ).all()
    assert open_items == []


async def test_every_decision_is_a_log_event_of_the_run(world):
    run = await sync_once(world)

    events = query_events(world.tenant_id, EventFilter(run_id=run.id, limit=500))
    names = {event.event for event in events}
    assert {
        "quote.created",
        "customer.created",
        "company.linked",
        "deal.failed",
    } <= names
    created = [event for event in events if event.event == "quote.created"]
    assert {event.hubspot_id for event in created} == {"201", "202", "207"}
    assert all(event.genius_id.startswith("S-") for event in created)


async def test_a_conflict_is_decided_by_when_each_property_changed(world):
    await sync_once(world)
    number = (await genius_quotes(world))["HS-DEAL-201"]["Number"]
    async with open_hubspot(world.tenant_id, redis=world.redis) as hubspot:
        await hubspot.update_object("deals", "201", {"dealname": "Nom venu de HubSpot"})
        await asyncio.sleep(1.1)  # Genius keeps whole seconds
        async with world.erp() as erp:
            answer = await erp.patch(
                f"/quotes/{number}", json={"Title": "Nom venu de Genius"}
            )
            assert answer.status_code == 200, answer.text
        await asyncio.sleep(1.1)
        # A later edit of another property makes the whole deal look newer.
        await hubspot.update_object("deals", "201", {"description": "Livraison mardi"})

    run = await sync_once(world)

    assert run.counts["conflicts"] == 1
    assert (await deal(world, "201", "dealname"))["dealname"] == "Nom venu de Genius"
    assert (await genius_quotes(world))["HS-DEAL-201"]["Title"] == "Nom venu de Genius"
    (conflict,) = query_events(
        world.tenant_id, EventFilter(run_id=run.id, event_prefix="deal.conflict")
    )
    assert conflict.data["outcome"] == "genius_won"


async def test_a_broken_mapping_stops_the_run_and_says_what_to_fix(world):
    with session_scope() as session:
        tenant = session.get(Tenant, world.tenant_id)
        tenant.mapping = {"version": 1, "pairs": {"deal": {"fields": [{"name": "x"}]}}}
        session.add(tenant)

    run = await sync_once(world)

    assert run.status == "failed"
    assert "mapping" in run.error and "correct the tenant's mapping" in run.error
    assert await genius_quotes(world) == {}


async def test_the_tenant_summary_shows_only_a_hint_of_the_genius_key(world):
    summary = tenant_summary(get_tenant(world.tenant_id))

    assert summary["genius_company"] == "DEMO"
    assert summary["genius_key_hint"].endswith("key")
    assert "engine-test-key" not in str(summary)


async def test_a_disconnect_uninstalls_the_app_and_pauses_the_tenant(world):
    tenant = await disconnect(world.tenant_id, by="operator@example.com")

    assert tenant.status == "uninstalled"
    assert "disconnected by operator@example.com" in tenant.status_reason
    with session_scope() as session:
        assert load_secret(session, world.tenant_id, "hubspot") is None
    with pytest.raises(ConfigurationError, match="is uninstalled"):
        await sync_once(world)
    assert not any(hub == HUB_ID for _app, hub in world.hubspot.world.installs)
