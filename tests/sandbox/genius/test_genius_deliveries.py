"""Webhook deliveries leave the sandbox signed, at least once, retried with backoff."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.genius import jsonio
from sandbox.genius.state import key_id
from sync.genius.signatures import verify_delivery
from tests.sandbox.genius.conftest import KEY

SECRET = "a-shared-secret-of-32-characters!"


class Receiver:
    """A real HTTP endpoint that records deliveries and fails the first N."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes]] = []

    async def handle(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        if self.failures > 0:
            self.failures -= 1
            return Response(status_code=500)
        return Response(status_code=204)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    target = Receiver()
    app = Starlette(routes=[Route("/hook", target.handle, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield target, f"http://127.0.0.1:{port}/hook"
    server.should_exit = True
    thread.join(timeout=10)


def wait_for(predicate, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not come true in time")
        time.sleep(0.02)


def subscribe(erp: httpx.Client, url: str, events: list[str] | None = None) -> None:
    body = {"Url": url, "Secret": SECRET} | ({"Events": events} if events else {})
    assert erp.put("/webhooks/subscription", json=body).status_code == 200


def test_a_status_change_is_delivered_signed_with_its_timestamp(erp, receiver):
    target, url = receiver
    subscribe(erp, url)

    erp.patch("/quotes/S-000001", json={"Status": 30})
    wait_for(lambda: len(target.received) == 2)

    events = {}
    for headers, body in target.received:
        assert verify_delivery(
            SECRET,
            body,
            timestamp=headers["x-genius-timestamp"],
            signature=headers["x-genius-signature"],
        )
        payload = jsonio.loads(body)
        assert headers["x-genius-delivery"] == payload["EventId"]
        events[payload["Event"]] = payload["Data"]
    assert events["quote.status_changed"]["PreviousStatus"] == 20
    assert events["quote.status_changed"]["Status"] == 30
    assert events["quote.updated"]["Number"] == "S-000001"


@pytest.mark.parametrize(
    ("headers", "author"),
    [
        pytest.param({}, {"Type": "ApiKey", "Id": key_id(KEY)}, id="through-the-api"),
        pytest.param(
            {"X-Genius-Sandbox-User": "jtremblay"},
            {"Type": "User", "Id": "JTREMBLAY"},
            id="a-person-in-genius",
        ),
    ],
)
def test_every_event_says_who_made_the_change(erp, receiver, headers, author):
    target, url = receiver
    subscribe(erp, url)

    erp.post("/customers", json={"Name": "Nouveau client"}, headers=headers)
    erp.patch("/quotes/S-000001", json={"Status": 30}, headers=headers)
    wait_for(lambda: len(target.received) == 3)

    events = [jsonio.loads(body) for _, body in target.received]
    assert sorted(event["Event"] for event in events) == [
        "customer.created",
        "quote.status_changed",
        "quote.updated",
    ]
    assert all(event["ChangedBy"] == author for event in events)


def test_the_company_shows_the_id_of_the_calling_key(erp):
    company = erp.get("/company").json()

    assert company["ApiKeyId"] == key_id(KEY)
    assert KEY not in company["ApiKeyId"]


@pytest.mark.parametrize(
    "user",
    [
        pytest.param("", id="empty"),
        pytest.param("x" * 21, id="too-long"),
        pytest.param("j tremblay", id="space"),
    ],
)
def test_a_bad_sandbox_user_is_a_422_that_changes_nothing(erp, sandbox, receiver, user):
    _, url = receiver
    subscribe(erp, url)

    answer = erp.patch(
        "/quotes/S-000001",
        json={"Title": "Jamais écrit"},
        headers={"X-Genius-Sandbox-User": user},
    )

    assert answer.status_code == 422
    assert erp.get("/quotes/S-000001").json()["Title"] != "Jamais écrit"
    assert (sandbox.state.pending, sandbox.state.deliveries) == ([], [])


def test_a_failed_delivery_is_retried_with_the_same_event_id(erp, admin, receiver):
    target, url = receiver
    target.failures = 2
    subscribe(erp, url, ["customer.created"])

    erp.post("/customers", json={"Name": "Nouveau client"})
    wait_for(lambda: len(target.received) == 3)

    ids = {headers["x-genius-delivery"] for headers, _ in target.received}
    attempts = admin.get("/deliveries").json()["attempts"]
    assert len(ids) == 1
    assert [a["Outcome"] for a in attempts] == ["failed", "failed", "delivered"]
    assert [a["Status"] for a in attempts] == [500, 500, 204]


def test_retries_back_off_and_end_after_the_last_attempt(erp, admin, receiver):
    target, url = receiver
    target.failures = 100
    subscribe(erp, url, ["customer.created"])

    erp.post("/customers", json={"Name": "Jamais livré"})
    wait_for(
        lambda: any(
            a["Outcome"] == "gave_up"
            for a in admin.get("/deliveries").json()["attempts"]
        )
    )

    attempts = admin.get("/deliveries").json()["attempts"]
    times = [datetime.fromisoformat(a["At"]) for a in attempts]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert len(attempts) == 4
    # 0.05 s, then 0.1 s, then 0.2 s: each wait at least the one before.
    assert gaps[2] >= gaps[0]
    assert admin.get("/deliveries").json()["pending"] == []


def test_injected_failures_and_duplicates_still_deliver_at_least_once(
    erp, admin, receiver
):
    target, url = receiver
    admin.post(
        "/faults", json={"webhook_failure_rate": 0.5, "webhook_duplicate_rate": 1.0}
    )
    subscribe(erp, url, ["customer.created"])

    erp.post("/customers", json={"Name": "Deux fois"})
    wait_for(lambda: len(target.received) >= 2)

    ids = [headers["x-genius-delivery"] for headers, _ in target.received]
    assert len(set(ids)) == 1


def test_events_outside_the_subscription_are_not_sent(erp, admin, receiver):
    target, url = receiver
    subscribe(erp, url, ["quote.created"])

    erp.post("/customers", json={"Name": "Ignoré"})
    erp.post("/quotes", json={"CustomerCode": "BOREAL"})
    wait_for(lambda: len(target.received) == 1)

    assert jsonio.loads(target.received[0][1])["Event"] == "quote.created"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"Url": "http://203.0.113.9/hook"}, "Url", id="not-loopback"),
        pytest.param({"Url": "ftp://127.0.0.1/hook"}, "Url", id="not-http"),
        pytest.param(
            {"Url": "http://127.0.0.1/h", "Events": ["quote.deleted"]},
            "Events",
            id="unknown-event",
        ),
        pytest.param(
            {"Url": "http://127.0.0.1/h", "Secret": "short"},
            "Secret",
            id="short-secret",
        ),
    ],
)
def test_bad_subscriptions_are_a_422(erp, body, field):
    answer = erp.put("/webhooks/subscription", json=body)

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == field


def test_the_subscription_is_shown_without_its_secret(erp):
    subscribe(erp, "http://127.0.0.1:9/hook")

    shown = erp.get("/webhooks/subscription").json()

    assert shown["Url"] == "http://127.0.0.1:9/hook"
    assert "Secret" not in shown
    assert erp.delete("/webhooks/subscription").status_code == 204
    assert erp.get("/webhooks/subscription").status_code == 404
