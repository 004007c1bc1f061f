"""`POST /webhooks/genius/{tenant}`: genuine deliveries queue one sync, others don't.

The route is served over real HTTP with a real Redis and database. Hand-made
deliveries cover the refusals, replays and authors; the Genius sandbox
itself delivers in the last tests, through failures and duplicates, and
with the echoes of the connector's own writes.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import Redis
from sqlmodel import select

from sandbox.genius.app import GeniusSandbox
from sandbox.genius.faults import Faults
from sandbox.genius.fixture import load_state, read_fixture
from sandbox.genius.server import serve_in_thread
from store.credentials import save_secret
from store.db import session_scope
from store.models import CredentialKind, SyncRun, Tenant, TenantStatus
from sync.genius import open_genius
from sync.genius.addresses import AddressPolicy
from sync.genius.client import GeniusClient
from sync.genius.connection import save_connection
from sync.genius.signatures import key_id, sign_delivery
from tests.connector_app.api.conftest import GENIUS_SECRET as SECRET

EXAMPLE = Path(__file__).resolve().parents[3] / "sandbox/genius/fixtures/example.json"
OUR_KEY = "demo-genius-key"
BODY = b'{"EventId":"evt-1","Event":"quote.updated","Data":{"Number":"S-000001"}}'


def deliver(
    api_url: str,
    tenant_id: int | str,
    *,
    body: bytes = BODY,
    event_id: str = "evt-1",
    secret: str = SECRET,
    timestamp: int | None = None,
    signed: tuple[str, str] | None = None,
) -> httpx.Response:
    stamp, signature = signed or sign_delivery(secret, body, timestamp=timestamp)
    headers = {
        "X-Genius-Timestamp": stamp,
        "X-Genius-Signature": signature,
        "X-Genius-Delivery": event_id,
        "Content-Type": "application/json",
    }
    return httpx.post(
        f"{api_url}/webhooks/genius/{tenant_id}", content=body, headers=headers
    )


def event_body(event_id: str = "evt-2", **fields: Any) -> bytes:
    event = {"EventId": event_id, "Event": "quote.updated", "Company": "FABDEMO"}
    return json.dumps(event | fields | {"Data": {"Number": "S-000001"}}).encode()


def runs_of(tenant_id: int) -> list[SyncRun]:
    with session_scope() as session:
        return list(session.exec(select(SyncRun).where(SyncRun.tenant_id == tenant_id)))


def test_a_genuine_delivery_queues_a_sync(served_api, hooked_tenant, redis_url):
    answer = deliver(served_api, hooked_tenant)

    runs = runs_of(hooked_tenant)
    assert answer.status_code == 200
    assert answer.json()["status"] == "queued"
    assert [(run.trigger, run.status) for run in runs] == [("genius_webhook", "queued")]
    assert Redis.from_url(redis_url).exists(f"arq:job:{runs[0].job_id}")


def test_the_same_delivery_twice_is_acknowledged_once(served_api, hooked_tenant):
    first = deliver(served_api, hooked_tenant)
    again = deliver(served_api, hooked_tenant)

    assert first.json()["status"] == "queued"
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert len(runs_of(hooked_tenant)) == 1


@pytest.mark.parametrize(
    ("body", "resend"),
    [
        pytest.param(BODY, "replay", id="captured-and-replayed-under-another-id"),
        pytest.param(BODY, "retry", id="genius-retries-with-a-fresh-timestamp"),
        pytest.param(b'{"Event":"quote.updated"}', "replay", id="no-event-id-replayed"),
    ],
)
def test_a_resent_delivery_is_a_duplicate_whatever_its_delivery_header(
    served_api, hooked_tenant, body, resend
):
    signed = sign_delivery(SECRET, body, timestamp=int(time.time()) - 60)
    first = deliver(served_api, hooked_tenant, body=body, signed=signed)

    again = deliver(
        served_api,
        hooked_tenant,
        body=body,
        event_id="another-delivery-id",
        signed=signed if resend == "replay" else None,
    )

    assert first.json()["status"] == "queued"
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"secret": "someone-else's-secret-000000"}, id="wrong-secret"),
        pytest.param(
            {"timestamp": int(time.time()) - 3600}, id="replayed-an-hour-later"
        ),
    ],
)
def test_a_delivery_not_signed_by_genius_is_a_401(served_api, hooked_tenant, change):
    answer = deliver(served_api, hooked_tenant, **change)

    assert answer.status_code == 401
    assert answer.json()["error"]
    assert runs_of(hooked_tenant) == []


def test_an_altered_body_is_a_401(served_api, hooked_tenant):
    signed = sign_delivery(SECRET, BODY)
    altered = BODY.replace(b"S-000001", b"S-000666")

    answer = deliver(served_api, hooked_tenant, body=altered, signed=signed)

    assert answer.status_code == 401
    assert answer.json()["error"] == "the signature does not match"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b'["quote.updated"]', id="a-list"),
        pytest.param(b"[" * 100_000, id="nested-too-deep"),
    ],
)
def test_a_signed_body_that_is_no_event_is_a_400(served_api, hooked_tenant, body):
    answer = deliver(served_api, hooked_tenant, body=body)

    assert answer.status_code == 400
    assert runs_of(hooked_tenant) == []


@pytest.mark.parametrize(
    "tenant",
    [
        pytest.param("999999", id="unknown-tenant"),
        pytest.param("not-a-number", id="not-an-id"),
    ],
)
def test_an_unknown_tenant_is_a_404(served_api, hooked_tenant, tenant):
    assert deliver(served_api, tenant).status_code == 404


def test_a_tenant_without_webhook_secret_is_a_404(served_api, db):
    with session_scope() as session:
        tenant = Tenant(hub_id="5550002", name="Sans webhook")
        session.add(tenant)
        session.flush()
        tenant_id = tenant.id

    assert deliver(served_api, tenant_id).status_code == 404


def test_a_disabled_tenant_is_acknowledged_without_a_sync(served_api, hooked_tenant):
    with session_scope() as session:
        session.get(Tenant, hooked_tenant).status = TenantStatus.DISABLED

    answer = deliver(served_api, hooked_tenant)

    assert (answer.status_code, answer.json()["status"]) == (200, "ignored")
    assert runs_of(hooked_tenant) == []


@pytest.mark.parametrize(
    ("stored", "author", "status"),
    [
        pytest.param(
            {"api_key": OUR_KEY},
            {"Type": "ApiKey", "Id": key_id(OUR_KEY)},
            "echo",
            id="our-key",
        ),
        pytest.param(
            {"api_key": OUR_KEY},
            {"Type": "ApiKey", "Id": key_id("another-integration-key")},
            "queued",
            id="another-key",
        ),
        pytest.param(
            {"api_key": OUR_KEY},
            {"Type": "User", "Id": "JTREMBLAY"},
            "queued",
            id="a-person-in-genius",
        ),
        pytest.param({"api_key": OUR_KEY}, None, "queued", id="no-author-given"),
        pytest.param(
            {"api_key": OUR_KEY}, key_id(OUR_KEY), "queued", id="author-not-an-object"
        ),
        pytest.param(
            {"api_key": OUR_KEY, "changed_by_id": "HUBSPOT"},
            {"Type": "User", "Id": "HUBSPOT"},
            "echo",
            id="installation-naming-the-key's-user",
        ),
        pytest.param(
            {"api_key": OUR_KEY, "changed_by_id": "HUBSPOT"},
            {"Type": "ApiKey", "Id": key_id(OUR_KEY)},
            "echo",
            id="installation-naming-the-user-and-our-key-id",
        ),
        pytest.param(
            {"api_key": OUR_KEY, "changed_by_id": "HUBSPOT"},
            {"Type": "User", "Id": "JTREMBLAY"},
            "queued",
            id="installation-naming-the-user-and-another-user",
        ),
        pytest.param(
            {}, {"Type": "ApiKey", "Id": key_id(OUR_KEY)}, "queued", id="no-key-stored"
        ),
    ],
)
def test_an_event_our_own_key_caused_is_an_echo(
    served_api, hooked_tenant, stored, author, status
):
    if stored:
        with session_scope() as session:
            save_secret(session, hooked_tenant, CredentialKind.GENIUS, stored)
    fields = {} if author is None else {"ChangedBy": author}

    answer = deliver(served_api, hooked_tenant, body=event_body(**fields))

    assert (answer.status_code, answer.json()["status"]) == (200, status)
    assert len(runs_of(hooked_tenant)) == (status == "queued")


def example_sandbox(**faults: Any) -> GeniusSandbox:
    state = load_state(read_fixture(EXAMPLE))
    state.companies["FABDEMO"].api_keys.append("another-integration-key")
    faults = {"webhook_backoff_s": 0.05, "rate_limit_per_s": 1000} | faults
    return GeniusSandbox(state, faults=Faults(**faults), random_seed=11)


def delivered(sandbox: GeniusSandbox) -> list[dict]:
    return [a for a in sandbox.state.deliveries if a["Outcome"] == "delivered"]


def wait_for_deliveries(sandbox: GeniusSandbox, count: int) -> list[dict]:
    deadline = time.monotonic() + 10
    while len(delivered(sandbox)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return delivered(sandbox)


async def test_the_sandbox_delivers_through_failures_and_duplicates(
    served_api, hooked_tenant
):
    sandbox = example_sandbox(webhook_failure_rate=0.5, webhook_duplicate_rate=1.0)
    with serve_in_thread(sandbox) as sandbox_url:
        async with GeniusClient(
            sandbox_url, "FABDEMO", OUR_KEY, policy=AddressPolicy(production=False)
        ) as erp:
            await erp.subscribe_webhooks(
                f"{served_api}/webhooks/genius/{hooked_tenant}",
                SECRET,
                ["quote.updated"],
            )
            await erp.update_quote("S-000001", {"Title": "Changé dans Genius"})
        attempts = wait_for_deliveries(sandbox, 2)

    assert [attempt["Status"] for attempt in attempts][:2] == [200, 200]
    assert [(run.trigger, run.status) for run in runs_of(hooked_tenant)] == [
        ("genius_webhook", "queued")
    ]


@pytest.mark.parametrize(
    ("writer", "runs"),
    [
        pytest.param({}, [], id="the-connector-itself"),
        pytest.param(
            {"X-Genius-Sandbox-User": "jtremblay"},
            [("genius_webhook", "queued")],
            id="a-person-in-genius",
        ),
        pytest.param(
            {"X-Genius-Api-Key": "another-integration-key"},
            [("genius_webhook", "queued")],
            id="another-integration",
        ),
    ],
)
async def test_only_changes_made_by_others_queue_a_sync(
    served_api, db, redis, writer, runs
):
    sandbox = example_sandbox()
    with serve_in_thread(sandbox) as sandbox_url:
        with session_scope() as session:
            tenant = Tenant(hub_id="5550003", name="Fabrication Démo")
            session.add(tenant)
            session.flush()
            tenant_id = tenant.id
        connected = await save_connection(
            tenant_id, base_url=sandbox_url, company="FABDEMO", api_key=OUR_KEY
        )
        assert connected.ok, connected.message
        async with open_genius(tenant_id, redis=redis) as erp:
            await erp.update_quote("S-000001", {"Title": "Écrit par le connecteur"})
        wait_for_deliveries(sandbox, 1)
        async with httpx.AsyncClient(
            base_url=f"{sandbox_url}/api/v1",
            headers={"X-Genius-Api-Key": OUR_KEY, "X-Genius-Company": "FABDEMO"},
        ) as erp:
            answer = await erp.patch(
                "/quotes/S-000001", json={"Notes": "revu"}, headers=writer
            )
            assert answer.status_code == 200, answer.text
        attempts = wait_for_deliveries(sandbox, 2)

    assert [attempt["Status"] for attempt in attempts] == [200, 200]
    assert [(run.trigger, run.status) for run in runs_of(tenant_id)] == runs
