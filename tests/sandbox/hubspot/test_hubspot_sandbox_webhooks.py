"""The sandbox's webhook sender: signed batches of at most 100 events, retries
with a growing attempt number, and duplicates and shuffles on demand.

Deliveries go to a receiver served over real HTTP that checks each v3
signature with the product's validator, an implementation of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.serving import serve_app
from sync.hubspot.signatures import compute_legacy_signature, verify_request
from tests.sandbox.hubspot.hubspot_sandbox_helpers import (
    HUB_ID,
    api,
    issue_tokens,
    running_sandbox,
)

SECRET = "sandbox-client-secret"


@dataclass
class Receiver:
    url: str = ""
    fail_first: int = 0
    batches: list[list[dict]] = field(default_factory=list)
    verdicts: list[bool] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    async def receive(request: Request) -> JSONResponse:
        body = await request.body()
        v3 = verify_request(request, body, secret=SECRET, public_url=state.url)
        v1 = request.headers["X-HubSpot-Signature"] == compute_legacy_signature(
            SECRET, "v1", "POST", "", body
        )
        state.verdicts.append(v3.ok and v1)
        if state.fail_first > 0:
            state.fail_first -= 1
            return JSONResponse({"error": "busy"}, status_code=503)
        state.batches.append(json.loads(body))
        return JSONResponse({})

    with serve_app(
        Starlette(routes=[Route("/hooks", receive, methods=["POST"])])
    ) as url:
        state.url = url
        yield state


@pytest.fixture
def sender(receiver):
    with running_sandbox() as running:
        httpx.put(
            f"{running.url}/_sandbox/apps/777001",
            json={"webhookUrl": f"{receiver.url}/hooks"},
        )
        httpx.put(
            f"{running.url}/_sandbox/faults",
            json={"webhook_retry_delays_s": [0.05, 0.05, 0.05], "rate_limits": False},
        )
        issued = issue_tokens(running.url)
        yield running, issued["access_token"]


def flush(running) -> None:
    httpx.post(f"{running.url}/_sandbox/webhooks/flush", timeout=30)


def test_many_changes_travel_in_signed_batches_of_100(sender, receiver):
    running, token = sender
    inputs = [{"properties": {"dealname": f"lot {n}"}} for n in range(100)]
    with api(running.url, token) as http:
        for _ in range(2):
            http.post("/crm/v3/objects/deals/batch/create", json={"inputs": inputs})

    flush(running)

    events = [event for batch in receiver.batches for event in batch]
    creations = [e for e in events if e["subscriptionType"] == "deal.creation"]
    assert all(len(batch) <= 100 for batch in receiver.batches)
    assert len(receiver.batches) >= 4  # 200 creations and their property changes
    assert len(creations) == 200
    assert all(receiver.verdicts)
    first = creations[0]
    assert first["portalId"] == HUB_ID and first["appId"] == 777001
    assert first["changeSource"] == "INTEGRATION" and first["sourceId"] == "777001"
    assert first["changeFlag"] == "NEW"


def test_a_failed_delivery_is_retried_with_the_next_attempt_number(sender, receiver):
    running, _ = sender
    receiver.fail_first = 2
    httpx.patch(
        f"{running.url}/_sandbox/portals/{HUB_ID}/objects/deals/201",
        json={"properties": {"dealstage": "closedwon"}},
    )

    flush(running)

    assert len(receiver.batches) == 1
    event = receiver.batches[0][0]
    assert event["attemptNumber"] == 2
    assert event["subscriptionType"] == "deal.propertyChange"
    assert (event["propertyName"], event["propertyValue"]) == ("dealstage", "closedwon")
    assert event["changeSource"] == "CRM_UI" and event["sourceId"] == "userId:2000001"


def test_duplicates_and_shuffles_happen_on_demand(sender, receiver):
    running, token = sender
    httpx.put(
        f"{running.url}/_sandbox/faults",
        json={
            "webhook_duplicate_rate": 1.0,
            "webhook_shuffle": True,
            "webhook_batch_window_ms": 60_000,  # everything waits for the flush
        },
    )
    with api(running.url, token) as http:
        for n in range(30):
            http.patch(
                "/crm/v3/objects/deals/201", json={"properties": {"amount": str(n)}}
            )

    flush(running)

    assert len(receiver.batches) % 2 == 0
    assert receiver.batches[0] == receiver.batches[1]
    amounts = [e["propertyValue"] for e in receiver.batches[0]
               if e.get("propertyName") == "amount"]  # fmt: skip
    assert sorted(amounts, key=int) == [str(n) for n in range(30)]
    assert amounts != sorted(amounts, key=int)


def test_merges_and_associations_have_their_own_fields(sender, receiver):
    running, token = sender
    with api(running.url, token) as http:
        http.put("/crm/v4/objects/deals/201/associations/default/companies/101")
        http.post(
            "/crm/v3/objects/deals/merge",
            json={"primaryObjectId": "201", "objectIdToMerge": "203"},
        )

    flush(running)

    events = [event for batch in receiver.batches for event in batch]
    link = next(e for e in events if e["subscriptionType"] == "deal.associationChange")
    merge = next(e for e in events if e["subscriptionType"] == "deal.merge")
    assert link["associationType"] == "DEAL_TO_COMPANY"
    assert (link["fromObjectId"], link["toObjectId"]) == (201, 101)
    assert link["associationRemoved"] is False
    assert merge["primaryObjectId"] == 201 and merge["mergedObjectIds"] == [203]
    assert merge["newObjectId"] == 201
