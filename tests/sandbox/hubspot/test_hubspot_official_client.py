"""HubSpot's own Python client works against the sandbox and sees what ours sees.

`hubspot-api-client` deserialises every answer into its generated models,
so a shape the sandbox got wrong breaks it; reading the same deals with both
clients, and writing with one and reading with the other, shows the two
agree on the data.
"""

from __future__ import annotations

import hubspot
import pytest
from hubspot.crm.deals import (
    BatchInputSimplePublicObjectBatchInput,
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectId,
)

from sync.hubspot import open_hubspot
from sync.hubspot.tokens import load_tokens
from tests.sync.hubspot import hubspot_fixtures
from tests.sync.hubspot.hubspot_fixtures import HUB_ID

hubspot_sandbox = hubspot_fixtures.hubspot_sandbox
tenant_id = hubspot_fixtures.tenant_id

PROPERTIES = ["dealname", "amount", "dealstage", "pipeline"]


@pytest.fixture
def official(tenant_id, hubspot_sandbox):
    """The official client with the tenant's token, pointed at the sandbox."""
    portal = hubspot_sandbox.sandbox.world.portals[HUB_ID]
    for n in range(130):
        portal.create(
            "deals",
            {"dealname": f"Lot {n}", "amount": f"{n}.50"},
            source=_user(),
        )
    token = load_tokens(tenant_id).access_token
    return hubspot.Client.create(access_token=token, host=hubspot_sandbox.url)


def _user():
    from sandbox.hubspot.world import Source

    return Source("CRM_UI", "userId:2000001", 2000001)


def official_list(client) -> dict[str, dict]:
    deals = client.crm.deals.get_all(properties=PROPERTIES, associations=["companies"])
    return {deal.id: deal for deal in deals}


def values(properties: dict) -> dict:
    return {name: properties.get(name) for name in PROPERTIES}


async def test_both_clients_list_the_same_deals(official, tenant_id, redis):
    theirs = official_list(official)

    async with open_hubspot(tenant_id, redis=redis) as ours_client:
        ours = {
            deal["id"]: deal
            async for deal in ours_client.iter_all(
                "deals", properties=PROPERTIES, associations=["companies"]
            )
        }

    assert set(theirs) == set(ours) and len(ours) == 135
    for deal_id, deal in ours.items():
        assert values(theirs[deal_id].properties) == values(deal["properties"])
    linked = theirs["201"].associations["companies"].results
    assert [item.id for item in linked] == ["101"]


async def test_both_clients_search_alike(official, tenant_id, redis):
    groups = [
        {"filters": [{"propertyName": "amount", "operator": "GTE", "value": "100"}]}
    ]
    request = PublicObjectSearchRequest(
        filter_groups=groups, sorts=["amount"], properties=PROPERTIES, limit=50
    )
    body = {
        "filterGroups": groups,
        "sorts": ["amount"],
        "properties": PROPERTIES,
        "limit": 50,
    }

    theirs = official.crm.deals.search_api.do_search(
        public_object_search_request=request
    )
    async with open_hubspot(tenant_id, redis=redis) as ours_client:
        ours = await ours_client.search("deals", body)

    assert theirs.total == ours["total"] == 35
    assert [d.id for d in theirs.results] == [d["id"] for d in ours["results"]]


async def test_both_clients_batch_read_alike(official, tenant_id, redis):
    ids = ["201", "202", "999"]
    request = BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=i) for i in ids],
        properties=PROPERTIES,
        properties_with_history=["amount"],
    )

    theirs = official.crm.deals.batch_api.read(request)
    async with open_hubspot(tenant_id, redis=redis) as ours_client:
        ours = await ours_client.batch_read(
            "deals", ids, properties=PROPERTIES, properties_with_history=["amount"]
        )

    assert sorted(d.id for d in theirs.results) == sorted(d["id"] for d in ours.results)
    assert theirs.num_errors == len(ours.errors) == 1
    history = {
        d.id: d.properties_with_history["amount"][0].value for d in theirs.results
    }
    assert history == {d["id"]: d["properties"]["amount"] for d in ours.results}


async def test_a_write_by_one_client_is_read_by_the_other(official, tenant_id, redis):
    update = BatchInputSimplePublicObjectBatchInput(
        inputs=[SimplePublicObjectBatchInput(id="201", properties={"amount": "4321.5"})]
    )

    official.crm.deals.batch_api.update(update)
    async with open_hubspot(tenant_id, redis=redis) as ours_client:
        read_back = await ours_client.get_object("deals", "201", properties=["amount"])
        await ours_client.update_object("deals", "202", {"dealname": "Renommé"})
    theirs = official.crm.deals.basic_api.get_by_id("202", properties=["dealname"])

    assert read_back["properties"]["amount"] == "4321.5"
    assert theirs.properties["dealname"] == "Renommé"
