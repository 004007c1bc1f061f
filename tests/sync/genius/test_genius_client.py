"""The Genius client against the sandbox: records, paging, errors, retries, limits."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from redis.asyncio import Redis

from sandbox.genius.app import ApiShape
from sync.errors import (
    AuthorizationNeeded,
    RateLimited,
    RecordNotFound,
    RecordRejected,
    RetriableError,
)
from sync.genius.profile import GeniusProfile
from sync.genius.transport import RetryPolicy


async def collect(stream) -> list[dict]:
    return [record async for record in stream]


async def test_records_come_back_as_genius_json_with_decimal_numbers(genius):
    quote = await genius.get_quote("S-000001")

    assert quote["Total"] == Decimal("2656.38")
    assert isinstance(quote["Lines"][0]["Quantity"], Decimal)
    assert quote["Lines"][0]["Quantity"].as_tuple().exponent == -3
    assert isinstance(quote["Status"], int)


async def test_a_quote_round_trips_its_decimals_exactly(genius):
    created = await genius.create_quote(
        {
            "CustomerCode": "LAKESIDE",
            "ExternalReference": "HS-DEAL-9001",
            "Lines": [
                {
                    "Description": "Laser cutting",
                    "Quantity": Decimal("2.125"),
                    "UnitPrice": Decimal("19.9999"),
                    "DiscountPercent": Decimal("2.50"),
                }
            ],
        }
    )

    line = created["Lines"][0]
    assert (line["Quantity"], line["UnitPrice"]) == (
        Decimal("2.125"),
        Decimal("19.9999"),
    )
    assert line["LineTotal"] == Decimal("41.44")
    assert created["Total"] == Decimal("46.83")  # Ontario HST 13 %
    assert (await genius.find_quote_by_reference("HS-DEAL-9001"))["Number"] == (
        created["Number"]
    )


async def test_floats_are_refused_before_anything_is_sent(genius):
    with pytest.raises(TypeError, match="Decimal"):
        await genius.update_quote("S-000001", {"Lines": [{"Quantity": 0.1}]})

    assert genius.calls == 0


@pytest.mark.parametrize(
    ("read", "argument"),
    [
        pytest.param("get_quote", "S-999999", id="quote"),
        pytest.param("get_customer", "NOBODY", id="customer"),
        pytest.param("find_quote_by_reference", "HS-DEAL-0", id="reference"),
    ],
)
async def test_single_reads_of_missing_records_answer_none(genius, read, argument):
    assert await getattr(genius, read)(argument) is None


async def test_updating_a_missing_record_is_record_not_found(genius):
    with pytest.raises(RecordNotFound) as caught:
        await genius.update_customer("NOBODY", {"Name": "x"})

    assert caught.value.failure.status == 404


async def test_a_422_lists_every_field_with_what_to_do(genius):
    with pytest.raises(RecordRejected) as caught:
        await genius.create_customer({"Code": "bad code!", "Name": "x" * 70})

    failure = caught.value.failure
    assert failure.status == 422
    assert {d.field for d in failure.details} == {"Code", "Name"}
    assert "Name: Name has 70 characters; at most 60" in caught.value.message
    assert "correct these values" in caught.value.message
    assert failure.correlation_id


async def test_a_409_on_an_accepted_quote_says_what_to_do(genius):
    await genius.update_quote("S-000001", {"Status": 30})

    with pytest.raises(RecordRejected) as caught:
        await genius.update_quote("S-000001", {"Lines": []})

    assert caught.value.failure.status == 409
    assert caught.value.failure.details[0].code == "quote_accepted"
    assert "set Status to 20 first" in caught.value.message


@pytest.mark.parametrize(
    ("options", "status"),
    [
        pytest.param({"api_key": "not-a-key"}, 401, id="wrong-key"),
        pytest.param({"company": "AUTRE"}, 403, id="wrong-company"),
    ],
)
async def test_refused_credentials_need_a_person(make_client, options, status):
    async with make_client(**options) as client:
        with pytest.raises(AuthorizationNeeded) as caught:
            await client.get_company()

    assert caught.value.system == "genius"
    assert caught.value.failure.status == status
    if status == 403:
        assert "'AUTRE'" in caught.value.message


async def test_paging_reports_the_total_and_gives_every_record_once(make_client, erp):
    for index in range(7):
        erp.post("/customers", json={"Code": f"C{index}", "Name": f"Client {index}"})

    async with make_client(profile=GeniusProfile(page_size=2)) as client:
        stream = client.iter_customers()
        codes = [customer["Code"] async for customer in stream]

    assert stream.total == 9
    assert sorted(codes) == sorted({*codes})
    assert len(codes) == 9
    assert stream.pages >= 5


async def test_a_record_modified_during_a_walk_does_not_hide_another(
    make_client, erp, admin
):
    # Five customers in one second, then one of the first page changes while
    # the walk is under way: every other customer slides one place forward.
    admin.post("/clock", json={"now": "2026-06-01T12:00:00Z"})
    for index in range(5):
        erp.post("/customers", json={"Code": f"B{index}", "Name": f"Bucket {index}"})
    admin.post("/clock", json={"now": "2026-06-01T12:00:30Z"})

    async with make_client(profile=GeniusProfile(page_size=2)) as client:
        stream = client.iter_customers()
        codes = []
        async for customer in stream:
            codes.append(customer["Code"])
            if len(codes) == 2:
                erp.patch("/customers/BOREAL", json={"City": "Québec"})
                erp.patch(f"/customers/{codes[0]}", json={"City": "Lévis"})

    assert {*codes} >= {"B0", "B1", "B2", "B3", "B4", "BOREAL", "LAKESIDE"}


async def test_a_record_leaving_a_one_second_bucket_does_not_hide_another(
    make_client, erp, admin
):
    # Six customers share one ModifiedAt, more than a page: the walk turns
    # pages inside that second, and one of them changes meanwhile.
    for index in range(6):
        admin.post("/clock", json={"now": "2026-06-01T12:00:00Z"})
        erp.post("/customers", json={"Code": f"B{index}", "Name": f"Bucket {index}"})
    admin.post("/clock", json={"now": "2026-06-01T12:00:30Z"})

    async with make_client(profile=GeniusProfile(page_size=2)) as client:
        codes = []
        async for customer in client.iter_customers():
            codes.append(customer["Code"])
            if customer["Code"] == "B3":
                erp.patch("/customers/B1", json={"City": "Lévis"})

    assert {f"B{index}" for index in range(6)} <= {*codes}
    assert {"BOREAL", "LAKESIDE"} <= {*codes}


async def test_a_modified_since_filter_reads_only_later_records(genius, erp, admin):
    admin.post("/clock", json={"now": "2026-06-01T16:00:00Z"})
    erp.patch("/customers/LAKESIDE", json={"Phone": "905-555-0199"})

    stream = genius.iter_customers(datetime(2026, 6, 1, 15, 59, tzinfo=UTC))
    records = await collect(stream)

    assert [c["Code"] for c in records] == ["LAKESIDE"]
    assert records[0]["ModifiedAt"] == "2026-06-01 12:00:00"  # Toronto, EDT
    assert stream.total == 1


async def test_a_429_is_retried_after_its_retry_after(genius, admin):
    admin.post("/faults", json={"storm_429": 2, "storm_retry_after_s": 1})

    started = time.monotonic()
    company = await genius.get_company()

    assert company["Code"] == "FABDEMO"
    assert time.monotonic() - started >= 2
    assert genius.calls == 3


async def test_a_long_retry_after_is_handed_to_the_caller(make_client, admin):
    admin.post("/faults", json={"storm_429": 1, "storm_retry_after_s": 120})

    async with make_client() as client:
        with pytest.raises(RateLimited) as caught:
            await client.get_company()

    assert caught.value.retry_after_s == 120


async def test_maintenance_is_retried_then_raised_as_retriable(make_client, admin):
    admin.post("/faults", json={"maintenance": True, "maintenance_retry_after_s": 0})

    async with make_client(retry=RetryPolicy(attempts=3, backoff_s=0.01)) as client:
        with pytest.raises(RetriableError) as caught:
            await client.get_company()

    assert caught.value.failure.status == 503
    assert caught.value.failure.category == "maintenance"
    assert caught.value.message.count("try again later") == 1
    assert client.calls == 3


async def test_a_create_is_not_repeated_after_a_500(make_client, admin, erp):
    admin.post("/faults", json={"error_rate": 1.0})

    async with make_client() as client:
        with pytest.raises(RetriableError):
            await client.create_customer({"Name": "Une seule fois"})
        calls = client.calls

    assert calls == 1


async def test_reads_are_repeated_after_a_500(make_client, admin):
    admin.post("/faults", json={"error_rate": 1.0})

    async with make_client() as client:
        with pytest.raises(RetriableError):
            await client.get_quote("S-000001")
        calls = client.calls

    assert calls == 4


async def test_nothing_listens_is_a_retriable_error(make_client):
    async with make_client(base_url="http://127.0.0.1:9") as client:
        with pytest.raises(RetriableError) as caught:
            await client.get_company()

    assert caught.value.failure.status == 0
    assert "cannot connect" in caught.value.message


async def test_the_tenant_rate_limit_is_shared_through_redis(make_client, redis_url):
    redis = Redis.from_url(redis_url)
    await redis.delete("ratelimit:genius:77")
    profile = GeniusProfile(requests_per_s=5)
    first = make_client(redis=redis, tenant_id=77, profile=profile)
    second = make_client(redis=redis, tenant_id=77, profile=profile)

    started = time.monotonic()
    await asyncio.gather(*(c.quote_statuses() for c in [first, second] * 6))
    elapsed = time.monotonic() - started
    await first.aclose()
    await second.aclose()
    await redis.aclose()

    # Twelve calls at five per second need at least two full seconds.
    assert elapsed >= 2


async def test_metadata_for_the_mapping_editor(genius):
    statuses = await genius.quote_statuses()
    fields = await genius.fields("quotes")

    assert [s["Code"] for s in statuses] == [10, 20, 30, 40, 50, 60]
    assert {"Number", "Lines", "Total"} <= {f["Name"] for f in fields}


@pytest.mark.parametrize(
    "shape",
    [
        ApiShape(
            prefix="/erp/rest/v2",
            key_header="X-Auth-Token",
            company_header="X-Database",
        )
    ],
    ids=["other-installation"],
)
async def test_another_installation_is_a_profile_not_code(make_client, shape):
    profile = GeniusProfile(
        api_prefix="/erp/rest/v2",
        api_key_header="X-Auth-Token",
        company_header="X-Database",
    )

    async with make_client(profile=profile) as client:
        company = await client.get_company()

    assert company["Name"] == "Fabrication Démo inc."
