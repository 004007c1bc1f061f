"""`POST /webhooks/hubspot`: signed deliveries from the sandbox's sender, and
hand-made ones for the refusals, duplicates and echoes."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from sqlmodel import select

from runtime.settings import get_settings
from sandbox.hubspot.webhooks import sign_v3
from store.db import session_scope
from store.models import SyncRun, Tenant, TenantStatus
from sync.hubspot import open_hubspot
from tests.sync.hubspot import hubspot_fixtures
from tests.sync.hubspot.hubspot_fixtures import HUB_ID

api_url = hubspot_fixtures.api_url
hubspot_sandbox = hubspot_fixtures.hubspot_sandbox
tenant_id = hubspot_fixtures.tenant_id

SECRET = "sandbox-client-secret"


def runs(tenant: int) -> list[SyncRun]:
    with session_scope() as session:
        return list(session.exec(select(SyncRun).where(SyncRun.tenant_id == tenant)))


def event(**fields) -> dict:
    base = {
        "eventId": 1,
        "subscriptionId": 500009,
        "portalId": HUB_ID,
        "appId": 777001,
        "occurredAt": 1_796_400_000_000,
        "subscriptionType": "deal.propertyChange",
        "attemptNumber": 0,
        "objectId": 201,
        "propertyName": "dealstage",
        "propertyValue": "closedwon",
        "changeSource": "CRM_UI",
        "sourceId": "userId:2000001",
    }
    return {**base, **fields}


def deliver(
    url: str, events: list[dict], *, signed_url: str | None = None, age_s: float = 0
) -> httpx.Response:
    body = json.dumps(events).encode()
    stamp = str(int((time.time() - age_s) * 1000))
    signature = sign_v3(SECRET, "POST", signed_url or url, body, stamp)
    headers = {
        "Content-Type": "application/json",
        "X-HubSpot-Signature-v3": signature,
        "X-HubSpot-Request-Timestamp": stamp,
    }
    return httpx.post(url, content=body, headers=headers)


@pytest.fixture
def connect_sender(hubspot_sandbox, api_url):
    """The sandbox's app sends its webhooks to our route."""
    app = hubspot_sandbox.sandbox.world.apps[777001]
    app.webhook_url = f"{api_url}/webhooks/hubspot"
    return hubspot_sandbox


def flush(running) -> list[dict]:
    """Deliver what the sandbox has queued (in its own loop) and list the tries."""
    assert httpx.post(f"{running.url}/_sandbox/webhooks/flush").status_code == 200
    return httpx.get(f"{running.url}/_sandbox/webhooks").json()["deliveries"]


async def test_a_user_edit_in_hubspot_queues_one_sync(
    tenant_id, redis, api_url, connect_sender
):
    admin = f"{connect_sender.url}/_sandbox/portals/{HUB_ID}/objects"
    for stage in ("qualifiedtobuy", "closedwon"):
        answer = httpx.patch(
            f"{admin}/deals/201", json={"properties": {"dealstage": stage}}
        )
        assert answer.status_code == 200

    deliveries = flush(connect_sender)

    assert deliveries and all(d["status"] == 200 for d in deliveries)
    queued = runs(tenant_id)
    assert [(r.trigger, r.status) for r in queued] == [("hubspot_webhook", "queued")]


async def test_our_own_writes_do_not_trigger_a_sync(
    tenant_id, redis, api_url, connect_sender
):
    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        await hubspot.update_object("deals", "201", {"dealname": "written by us"})

    deliveries = flush(connect_sender)

    assert deliveries[0]["status"] == 200
    assert deliveries[0]["events"][0]["sourceId"] == "777001"
    assert runs(tenant_id) == []


async def test_an_uninstall_in_hubspot_ends_the_tenant(
    tenant_id, redis, api_url, connect_sender
):
    base = connect_sender.url
    assert httpx.post(f"{base}/_sandbox/portals/{HUB_ID}/uninstall").status_code == 204
    flush(connect_sender)

    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
    assert tenant.status == TenantStatus.UNINSTALLED
    assert tenant.purge_after is not None


@pytest.mark.parametrize(
    ("tamper", "age_s", "reason"),
    [
        (lambda events: events, 301, "away from now"),
        (lambda events: [{**events[0], "objectId": 202}], 0, "does not match"),
    ],
    ids=["replayed-late", "body-changed"],
)
async def test_a_bad_signature_is_refused(
    tenant_id, redis, api_url, tamper, age_s, reason
):
    url = f"{api_url}/webhooks/hubspot"
    events = [event()]
    body = json.dumps(events).encode()
    stamp = str(int((time.time() - age_s) * 1000))
    signature = sign_v3(SECRET, "POST", url, body, stamp)

    answer = httpx.post(
        url,
        content=json.dumps(tamper(events)).encode(),
        headers={
            "X-HubSpot-Signature-v3": signature,
            "X-HubSpot-Request-Timestamp": stamp,
        },
    )

    assert answer.status_code == 401
    assert reason in answer.json()["error"]
    assert runs(tenant_id) == []


async def test_duplicates_and_strangers_are_dropped(tenant_id, redis, api_url):
    url = f"{api_url}/webhooks/hubspot"
    batch = [
        event(eventId=7),
        event(eventId=8, appId=123456),  # another app
        event(eventId=9, portalId=424242),  # a portal we do not know
    ]

    first = deliver(url, batch).json()
    again = deliver(url, [event(eventId=7, attemptNumber=1)]).json()

    assert first == {"received": 3, "duplicates": 0, "synced": 1}
    assert again == {"received": 1, "duplicates": 1, "synced": 0}
    assert len(runs(tenant_id)) == 1


async def test_the_signature_covers_the_public_url_behind_a_proxy(
    tenant_id, redis, api_url, monkeypatch
):
    monkeypatch.setattr(get_settings(), "public_url", "https://erp.example.com")
    signed_as = "https://erp.example.com/webhooks/hubspot"

    answer = deliver(f"{api_url}/webhooks/hubspot", [event()], signed_url=signed_as)

    assert answer.status_code == 200
    assert answer.json()["synced"] == 1
