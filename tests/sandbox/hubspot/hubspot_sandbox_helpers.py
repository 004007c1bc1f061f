"""Helpers of the sandbox tests: a served sandbox, and a token from its OAuth."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from sandbox.hubspot.app import Sandbox
from sandbox.hubspot.fixture import build_world
from sandbox.hubspot.server import RunningSandbox, serve_in_thread

HUB_ID = 62515
REDIRECT = "http://localhost:3000/oauth/callback"
CLIENT = {"client_id": "sandbox-client-id", "client_secret": "sandbox-client-secret"}
ALL_SCOPES = (
    "oauth crm.objects.deals.read crm.objects.deals.write crm.objects.companies.read "
    "crm.objects.companies.write crm.objects.line_items.read "
    "crm.objects.line_items.write crm.schemas.deals.write"
)


def portal_fixture(deals: int = 3) -> dict[str, Any]:
    return {
        "portals": [
            {
                "hubId": HUB_ID,
                "name": "Essais",
                "companies": [
                    {
                        "id": "101",
                        "properties": {"name": "Acier"},
                        "associations": {"deals": ["202"]},
                    }
                ],
                "deals": [
                    {"id": str(201 + n), "properties": {"dealname": f"Deal {n}"}}
                    for n in range(deals)
                ],
                "line_items": [
                    {
                        "id": "401",
                        "properties": {"name": "Plaque"},
                        "associations": {"deals": ["202"]},
                    }
                ],
            }
        ]
    }


@contextmanager
def running_sandbox(document: dict[str, Any] | None = None) -> Iterator[RunningSandbox]:
    with serve_in_thread(Sandbox(build_world(document or portal_fixture()))) as running:
        yield running


def authorize(base: str, scopes: str = ALL_SCOPES, **extra: str) -> httpx.Response:
    params = {
        "client_id": CLIENT["client_id"],
        "redirect_uri": REDIRECT,
        "scope": scopes,
        "state": "st",
        **extra,
    }
    return httpx.get(f"{base}/oauth/{HUB_ID}/authorize", params=params)


def issue_tokens(base: str, scopes: str = ALL_SCOPES) -> dict[str, Any]:
    """An install through the sandbox's consent and token endpoint."""
    consent = authorize(base, scopes)
    code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
    answer = httpx.post(
        f"{base}/oauth/2026-03/token",
        data={
            **CLIENT,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
        },
    )
    answer.raise_for_status()
    return answer.json()


def api(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})
