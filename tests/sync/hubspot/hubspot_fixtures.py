"""Fixtures of the HubSpot side, shared with the route tests: a sandbox over
real HTTP, a real Redis, and a tenant installed through the real OAuth flow."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from redis.asyncio import Redis

from runtime.settings import get_settings
from sandbox.hubspot.app import Sandbox
from sandbox.hubspot.fixture import build_world
from sandbox.hubspot.server import RunningSandbox, serve_in_thread
from sandbox.serving import serve_app
from sync.hubspot import RetryPolicy
from sync.hubspot.install import begin_install, complete_install

HUB_ID = 62515
FAST_RETRY = RetryPolicy(
    attempts=4,
    base_s=0.01,
    cap_s=0.05,
    policy_step_s=0.05,
)


def small_portal() -> dict[str, Any]:
    return {
        "portals": [
            {
                "hubId": HUB_ID,
                "name": "Usinage Beauce inc.",
                "domain": "usinage-beauce.example.com",
                "currencies": ["CAD", "USD"],
                "companies": [
                    {"id": "101", "properties": {"name": "Acier Laurentides"}},
                    {"id": "102", "properties": {"name": "Bois Nordik"}},
                ],
                "deals": [
                    {
                        "id": str(201 + n),
                        "properties": {"dealname": f"Deal {n}", "amount": 100 + n},
                        "associations": {"companies": ["101"]},
                    }
                    for n in range(5)
                ],
                "line_items": [
                    {
                        "id": "401",
                        "properties": {"name": "Support", "quantity": 2, "price": 5},
                        "associations": {"deals": ["201"]},
                    }
                ],
            },
            {"hubId": 99001, "name": "Autre portail", "domain": "autre.example.com"},
        ]
    }


@pytest.fixture
def hubspot_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    """A fresh sandbox on a free port; the product's settings point at it."""
    sandbox = Sandbox(build_world(small_portal()))
    with serve_in_thread(sandbox) as running:
        settings = get_settings().hubspot
        monkeypatch.setattr(settings, "api_base", running.url)
        monkeypatch.setattr(settings, "auth_base", running.url)
        yield running


async def install_portal(redis: Redis, hub_id: int = HUB_ID) -> int:
    """The install as a browser would do it; returns the tenant id."""
    url = await begin_install(redis, portal=str(hub_id))
    async with httpx.AsyncClient() as browser:
        consent = await browser.get(url)
    assert consent.status_code == 302, consent.text
    query = parse_qs(urlsplit(consent.headers["location"]).query)
    return await complete_install(redis, code=query["code"][0], state=query["state"][0])


@pytest.fixture
async def tenant_id(db: None, redis: Redis, hubspot_sandbox: RunningSandbox) -> int:
    return await install_portal(redis)


@pytest.fixture
def api_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Our HTTP API on a free port, which is also the public URL HubSpot sees."""
    from connector_app.api import build_api

    with serve_app(build_api()) as url:
        monkeypatch.setattr(get_settings(), "public_url", url)
        yield url
