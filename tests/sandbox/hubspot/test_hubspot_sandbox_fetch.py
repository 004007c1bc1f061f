"""The sandbox's stand-in for `hubspot.fetch`: it calls a backend the way
HubSpot's proxy does for a card, with the viewer in the query and a v3
signature the product's validator accepts."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.serving import serve_app
from sync.hubspot.signatures import verify_request
from tests.sandbox.hubspot.hubspot_sandbox_helpers import HUB_ID, running_sandbox


@pytest.fixture
def backend() -> Iterator[str]:
    holder: dict[str, str] = {}

    async def card(request: Request) -> JSONResponse:
        body = await request.body()
        verdict = verify_request(
            request, body, secret="sandbox-client-secret", public_url=holder["url"]
        )
        return JSONResponse(
            {
                "ok": verdict.ok,
                "query": dict(request.query_params),
                "body": body.decode(),
            }
        )

    with serve_app(
        Starlette(routes=[Route("/api/card", card, methods=["GET", "POST"])])
    ) as url:
        holder["url"] = url
        yield url


@pytest.mark.parametrize(
    ("method", "body", "sent"),
    [("GET", None, ""), ("POST", {"action": "refresh"}, '{"action": "refresh"}')],
    ids=["get", "post-json"],
)
def test_a_card_call_arrives_signed_with_its_viewer(backend, method, body, sent):
    with running_sandbox() as running:
        answer = httpx.post(
            f"{running.url}/_sandbox/fetch",
            json={
                "url": f"{backend}/api/card?dealId=201",
                "method": method,
                "body": body,
                "hubId": HUB_ID,
            },
        ).json()

    assert answer["status"] == 200
    echoed = answer["body"]
    assert echoed["ok"] is True
    assert echoed["query"] == {
        "dealId": "201",
        "appId": "777001",
        "portalId": str(HUB_ID),
        "userId": "2000001",
        "userEmail": "admin@portal-62515.example.com",
    }
    assert echoed["body"] == sent
