"""`POST /webhooks/genius/{tenant}`: genuine deliveries queue one sync, others don't.

The route is served by uvicorn with a real Redis and database; the last
test has the Genius sandbox itself deliver to it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from redis import Redis
from sqlmodel import select

from connector_app.api import build_api
from runtime.settings import get_settings
from sandbox.genius.app import GeniusSandbox
from sandbox.genius.faults import Faults
from sandbox.genius.fixture import load_state, read_fixture
from sandbox.genius.server import serve_in_thread
from store.credentials import save_secret
from store.db import session_scope
from store.models import CredentialKind, SyncRun, Tenant, TenantStatus
from sync.genius.addresses import AddressPolicy
from sync.genius.client import GeniusClient
from sync.genius.signatures import sign_delivery

EXAMPLE = Path(__file__).resolve().parents[3] / "sandbox/genius/fixtures/example.json"
SECRET = "webhook-secret-for-tests-0123456789"
BODY = b'{"EventId":"evt-1","Event":"quote.updated","Data":{"Number":"S-000001"}}'


@pytest.fixture
def api_url(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(get_settings(), "redis_url", redis_url)
    Redis.from_url(redis_url).flushdb()
    server = uvicorn.Server(
        uvicorn.Config(build_api(), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def hooked_tenant(db: None) -> int:
    with session_scope() as session:
        tenant = Tenant(hub_id="5550001", name="Fabrication Démo")
        session.add(tenant)
        session.flush()
        save_secret(
            session, tenant.id, CredentialKind.GENIUS_WEBHOOK, {"secret": SECRET}
        )
        return tenant.id


def deliver(
    api_url: str,
    tenant_id: int | str,
    *,
    body: bytes = BODY,
    event_id: str = "evt-1",
    secret: str = SECRET,
    timestamp: int | None = None,
) -> httpx.Response:
    stamp, signature = sign_delivery(secret, body, timestamp=timestamp)
    headers = {
        "X-Genius-Timestamp": stamp,
        "X-Genius-Signature": signature,
        "X-Genius-Delivery": event_id,
        "Content-Type": "application/json",
    }
    return httpx.post(
        f"{api_url}/webhooks/genius/{tenant_id}", content=body, headers=headers
    )


def runs_of(tenant_id: int) -> list[SyncRun]:
    with session_scope() as session:
        return list(session.exec(select(SyncRun).where(SyncRun.tenant_id == tenant_id)))


def test_a_genuine_delivery_queues_a_sync(api_url, hooked_tenant, redis_url):
    answer = deliver(api_url, hooked_tenant)

    runs = runs_of(hooked_tenant)
    assert answer.status_code == 200
    assert answer.json()["status"] == "queued"
    assert [(run.trigger, run.status) for run in runs] == [("genius_webhook", "queued")]
    assert Redis.from_url(redis_url).exists(f"arq:job:{runs[0].job_id}")


def test_the_same_delivery_twice_is_acknowledged_once(api_url, hooked_tenant):
    first = deliver(api_url, hooked_tenant)
    again = deliver(api_url, hooked_tenant)

    assert first.json()["status"] == "queued"
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert len(runs_of(hooked_tenant)) == 1


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"secret": "someone-else's-secret-000000"}, id="wrong-secret"),
        pytest.param(
            {"timestamp": int(time.time()) - 3600}, id="replayed-an-hour-later"
        ),
    ],
)
def test_a_delivery_not_signed_by_genius_is_a_401(api_url, hooked_tenant, change):
    answer = deliver(api_url, hooked_tenant, **change)

    assert answer.status_code == 401
    assert runs_of(hooked_tenant) == []


def test_an_altered_body_is_a_401(api_url, hooked_tenant):
    stamp, signature = sign_delivery(SECRET, BODY)
    answer = httpx.post(
        f"{api_url}/webhooks/genius/{hooked_tenant}",
        content=BODY.replace(b"S-000001", b"S-000666"),
        headers={"X-Genius-Timestamp": stamp, "X-Genius-Signature": signature},
    )

    assert answer.status_code == 401


@pytest.mark.parametrize(
    "tenant",
    [
        pytest.param("999999", id="unknown-tenant"),
        pytest.param("not-a-number", id="not-an-id"),
    ],
)
def test_an_unknown_tenant_is_a_404(api_url, hooked_tenant, tenant):
    assert deliver(api_url, tenant).status_code == 404


def test_a_tenant_without_webhook_secret_is_a_404(api_url, db):
    with session_scope() as session:
        tenant = Tenant(hub_id="5550002", name="Sans webhook")
        session.add(tenant)
        session.flush()
        tenant_id = tenant.id

    assert deliver(api_url, tenant_id).status_code == 404


def test_a_disabled_tenant_is_acknowledged_without_a_sync(api_url, hooked_tenant):
    with session_scope() as session:
        session.get(Tenant, hooked_tenant).status = TenantStatus.DISABLED

    answer = deliver(api_url, hooked_tenant)

    assert (answer.status_code, answer.json()["status"]) == (200, "ignored")
    assert runs_of(hooked_tenant) == []


async def test_the_sandbox_delivers_through_failures_and_duplicates(
    api_url, hooked_tenant
):
    faults = Faults(
        webhook_backoff_s=0.05,
        webhook_failure_rate=0.5,
        webhook_duplicate_rate=1.0,
        rate_limit_per_s=1000,
    )
    sandbox = GeniusSandbox(
        load_state(read_fixture(EXAMPLE)), faults=faults, random_seed=11
    )
    with serve_in_thread(sandbox) as sandbox_url:
        async with GeniusClient(
            sandbox_url,
            "FABDEMO",
            "demo-genius-key",
            policy=AddressPolicy(production=False),
        ) as erp:
            await erp.subscribe_webhooks(
                f"{api_url}/webhooks/genius/{hooked_tenant}", SECRET, ["quote.updated"]
            )
            await erp.update_quote("S-000001", {"Title": "Changé dans Genius"})

        deadline = time.monotonic() + 10
        while len(delivered(sandbox)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)

    assert [attempt["Status"] for attempt in delivered(sandbox)][:2] == [200, 200]
    assert [(run.trigger, run.status) for run in runs_of(hooked_tenant)] == [
        ("genius_webhook", "queued")
    ]


def delivered(sandbox: GeniusSandbox) -> list[dict]:
    return [a for a in sandbox.state.deliveries if a["Outcome"] == "delivered"]
