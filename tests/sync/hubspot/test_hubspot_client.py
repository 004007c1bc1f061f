"""The HubSpot client against the sandbox: records, batches with partial
failures, associations, definitions and the paging of whole object types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox.hubspot.world import Source
from sync.errors import RecordNotFound, RecordRejected
from sync.hubspot import open_hubspot
from tests.sync.hubspot.hubspot_fixtures import FAST_RETRY, HUB_ID

USER = Source("CRM_UI", "userId:2000001", 2000001)


def portal_of(running):
    return running.sandbox.world.portals[HUB_ID]


async def test_get_object_reads_properties_and_associations(tenant_id, redis):
    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        deal = await hubspot.get_object(
            "deals",
            "201",
            properties=["dealname", "amount"],
            associations=["companies"],
        )

    assert deal["id"] == "201"
    assert deal["properties"]["amount"] == "100"
    linked = [item["id"] for item in deal["associations"]["companies"]["results"]]
    assert linked == ["101"]


@pytest.mark.parametrize("empty_body", [False, True], ids=["json-404", "empty-404"])
async def test_a_missing_record_is_record_not_found(
    tenant_id, redis, hubspot_sandbox, empty_body
):
    hubspot_sandbox.sandbox.faults.not_found_empty_body = empty_body

    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        with pytest.raises(RecordNotFound) as caught:
            await hubspot.get_object("deals", "999", properties=["dealname"])

    failure = caught.value.failure
    assert failure.status == 404
    assert failure.path == "/crm/v3/objects/deals/999"
    assert "?" not in str(caught.value)
    assert bool(failure.correlation_id)


async def test_batch_read_keeps_found_records_and_names_the_missing(tenant_id, redis):
    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        result = await hubspot.batch_read(
            "deals", ["201", "999", "202"], properties=["dealname"]
        )

    assert sorted(r["id"] for r in result.results) == ["201", "202"]
    assert [e.ids for e in result.errors] == [["999"]]
    assert result.errors[0].category == "OBJECT_NOT_FOUND"
    assert "999" in result.failed_ids()


async def test_batches_go_in_chunks_of_100(tenant_id, redis, hubspot_sandbox):
    portal = portal_of(hubspot_sandbox)
    ids = [portal.create("deals", {"dealname": f"d{n}"}, USER).id for n in range(250)]

    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        before = hubspot.calls
        result = await hubspot.batch_read("deals", ids, properties=["dealname"])
        calls = hubspot.calls - before

    assert calls == 3
    assert len(result.results) == 250 and result.ok


async def test_batch_create_reports_each_failed_input(tenant_id, redis):
    inputs = [
        {"properties": {"dealname": "good"}},
        {"properties": {"dealname": "bad", "deal_currency_code": "EUR"}},
        {"properties": {"dealname": "also good"}},
    ]

    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        result = await hubspot.batch_create("deals", inputs)

    assert sorted(r["properties"]["dealname"] for r in result.results) == [
        "also good",
        "good",
    ]
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.trace_ids == ["create-1"]
    assert error.category == "VALIDATION_ERROR"
    assert error.details[0].field == "deal_currency_code"


async def test_batch_update_keeps_successes_of_a_partial_answer(tenant_id, redis):
    inputs = [
        {"id": "201", "properties": {"dealname": "renamed"}},
        {"id": "998", "properties": {"dealname": "ghost"}},
    ]

    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        result = await hubspot.batch_update("deals", inputs)
        deal = await hubspot.get_object("deals", "201", properties=["dealname"])

    assert [r["id"] for r in result.results] == ["201"]
    assert list(result.failed_ids()) == ["998"]
    assert deal["properties"]["dealname"] == "renamed"


async def test_batch_upsert_creates_then_updates_by_unique_property(tenant_id, redis):
    inputs = [{"id": "ACIER1", "properties": {"name": "Acier Un"}}]

    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        first = await hubspot.batch_upsert(
            "companies", inputs, id_property="genius_customer_code"
        )
        second = await hubspot.batch_upsert(
            "companies", inputs, id_property="genius_customer_code"
        )

    assert first.results[0]["new"] is True
    assert second.results[0]["new"] is False
    assert first.results[0]["id"] == second.results[0]["id"]


@pytest.mark.parametrize(
    ("properties", "field", "code"),
    [
        ({"dealname": "x", "nope": "1"}, "nope", "PROPERTY_DOESNT_EXIST"),
        ({"amount": "beaucoup"}, "amount", "INVALID_DECIMAL"),
        ({"genius_quote_date": "1767225600001"}, "genius_quote_date", "INVALID_DATE"),
        ({"hs_object_id": "5"}, "hs_object_id", "READ_ONLY_VALUE"),
        ({"dealstage": "closedwon", "pipeline": "nope"}, "pipeline", "INVALID_OPTION"),
    ],
    ids=["unknown", "not-a-number", "date-not-midnight", "read-only", "bad-pipeline"],
)
async def test_a_refused_write_says_which_field(
    tenant_id, redis, properties, field, code
):
    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        with pytest.raises(RecordRejected) as caught:
            await hubspot.update_object("deals", "201", properties)

    details = {detail.field: detail.code for detail in caught.value.failure.details}
    assert details[field] == code
    assert caught.value.failure.status == 400


async def test_a_unique_value_conflict_is_rejected(tenant_id, redis):
    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        await hubspot.update_object("companies", "101", {"genius_customer_code": "C1"})
        with pytest.raises(RecordRejected) as caught:
            await hubspot.update_object(
                "companies", "102", {"genius_customer_code": "C1"}
            )

    assert caught.value.failure.status == 409
    assert caught.value.failure.category == "CONFLICT"


async def test_create_with_associations_and_read_them_back(tenant_id, redis):
    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        deal = await hubspot.create_object(
            "deals", {"dealname": "Neuf", "amount": "12.50"}, [("companies", "102")]
        )
        item = await hubspot.create_object(
            "line_items", {"name": "Plaque", "quantity": "3", "price": "4.25"}
        )
        await hubspot.associate("deals", deal["id"], "line_items", item["id"])
        companies = await hubspot.associated_ids(
            "deals", [deal["id"], "203"], "companies"
        )
        items = await hubspot.associated_ids("deals", [deal["id"], "203"], "line_items")

    assert companies == {deal["id"]: ["102"], "203": ["101"]}
    assert items == {deal["id"]: [item["id"]], "203": []}
    assert all(isinstance(i, str) for ids in items.values() for i in ids)


async def test_definitions_are_cached_per_tenant(tenant_id, redis):
    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        pipelines = await hubspot.pipelines()
        first = hubspot.calls
        again = await hubspot.pipelines()
        properties = await hubspot.properties("deals")
        await hubspot.properties("deals")
        calls = hubspot.calls - first

    assert again == pipelines
    assert [p["id"] for p in pipelines] == ["default"]
    assert "genius_quote_number" in {p["name"] for p in properties}
    assert calls == 1


async def test_ensure_app_properties_twice_changes_nothing(
    tenant_id, redis, hubspot_sandbox
):
    portal = portal_of(hubspot_sandbox)
    before = {t: dict(p) for t, p in portal.properties.items()}

    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        await hubspot.ensure_app_properties()

    assert {t: dict(p) for t, p in portal.properties.items()} == before


async def test_iter_all_walks_every_page(tenant_id, redis, hubspot_sandbox):
    portal = portal_of(hubspot_sandbox)
    for n in range(230):
        portal.create("companies", {"name": f"c{n}"}, USER)
    archived = portal.get("companies", "102")
    portal.archive(archived, USER)

    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        ids = [
            c["id"] async for c in hubspot.iter_all("companies", properties=["name"])
        ]
        gone = [
            c["id"]
            async for c in hubspot.iter_all(
                "companies", properties=["name"], archived=True
            )
        ]

    assert len(ids) == 231 and len(set(ids)) == 231
    assert gone == ["102"]


def stamp(base: datetime, offset_ms: int) -> int:
    return int(base.timestamp() * 1000) + offset_ms


async def test_iter_modified_walks_past_the_search_cap(
    tenant_id, redis, hubspot_sandbox
):
    """10,600 deals, 400 of them sharing the millisecond where the cap falls."""
    sandbox = hubspot_sandbox.sandbox
    sandbox.faults.rate_limits = False
    portal = portal_of(hubspot_sandbox)
    base = datetime(2026, 1, 5, tzinfo=UTC)
    for n in range(10_600):
        offset = 9_800 if 9_800 <= n < 10_200 else n
        portal.create(
            "deals", {"dealname": f"bulk {n}"}, USER, at_ms=stamp(base, offset)
        )

    async with open_hubspot(tenant_id, redis=redis, rate_limits=False) as hubspot:
        seen = [
            d
            async for d in hubspot.iter_modified("deals", base, properties=["dealname"])
        ]

    names = [d["properties"]["dealname"] for d in seen]
    bulk = [name for name in names if name.startswith("bulk")]
    stamps = [d["properties"]["hs_lastmodifieddate"] for d in seen]
    assert len(bulk) == 10_600 and len(set(bulk)) == 10_600
    assert len(names) == 10_605  # and the five deals of the fixture, newer
    assert stamps == sorted(stamps)


async def test_iter_modified_starts_at_since(tenant_id, redis, hubspot_sandbox):
    portal = portal_of(hubspot_sandbox)
    base = datetime(2026, 2, 1, tzinfo=UTC)
    for n in range(6):
        portal.create("deals", {"dealname": f"t{n}"}, USER, at_ms=stamp(base, n * 1000))

    async with open_hubspot(tenant_id, redis=redis, retry=FAST_RETRY) as hubspot:
        since = base + timedelta(seconds=3)
        names = [
            d["properties"]["dealname"]
            async for d in hubspot.iter_modified(
                "deals", since, properties=["dealname"]
            )
            if d["properties"]["dealname"].startswith("t")
        ]

    assert names == ["t3", "t4", "t5"]
