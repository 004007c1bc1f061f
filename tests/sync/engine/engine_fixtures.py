"""A small world on both sides, served over real HTTP, with one installed tenant.

HubSpot portal 62515 (default pipeline and the custom "Fabrication" one) and
Genius company DEMO, each made to exercise one rule of the engine:

| deal | company | what it exercises |
| --- | --- | --- |
| 201 | 101 Les Aciers Lévis Ltée | matched to customer ACILEV by domain; two lines |
| 202 | 102 Usinage Trois-Rivières | new customer created; custom pipeline; USD |
| 203 | 101 | closed won without a quote: skipped |
| 204 | 103 Béton Québec | two Genius customers match: held for a person |
| 205 | 102 | a line whose SKU Genius does not know: the record fails, waits |
| 206 | none | no company: the record fails, waits |
| 207 | 101 | no close date, a line without discount: the ERP's defaults apply |
| 208 | 101 | a line with quantity -5: the record fails, naming the quantity |
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from runtime.settings import get_settings
from sandbox.genius.app import GeniusSandbox
from sandbox.genius.faults import Faults
from sandbox.genius.fixture import load_state, read_fixture
from sandbox.genius.server import serve_in_thread as serve_genius
from sandbox.hubspot.app import Sandbox
from sandbox.hubspot.fixture import build_world
from sandbox.hubspot.server import serve_in_thread as serve_hubspot
from sync.genius.connection import save_connection
from tests.sync.hubspot.hubspot_fixtures import install_portal

HUB_ID = 62515
GENIUS_COMPANY = "DEMO"
GENIUS_KEY = "engine-test-key"


def _deal(
    deal_id: str,
    name: str,
    stage: tuple[str, str],
    currency: str = "CAD",
    company: str | None = None,
    items: tuple[str, ...] = (),
) -> dict[str, Any]:
    associations: dict[str, Any] = {"line_items": list(items)}
    if company:
        associations["companies"] = [{"id": company, "types": [5]}]
    return {
        "id": deal_id,
        "properties": {
            "dealname": name,
            "pipeline": stage[0],
            "dealstage": stage[1],
            "deal_currency_code": currency,
            "closedate": "2026-12-18T15:00:00Z",
        },
        "associations": associations,
    }


def _sparse_deal(deal_id: str, company: str, items: tuple[str, ...]) -> dict[str, Any]:
    """A deal as salespeople often leave it: a name and a stage, nothing more."""
    deal = _deal(deal_id, "Devis rapide", ("default", "appointmentscheduled"),
                 company=company, items=items)  # fmt: skip
    del deal["properties"]["closedate"], deal["properties"]["deal_currency_code"]
    return deal


def _item(item_id: str, sku: str, quantity: str, price: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "properties": {
            "name": f"Article {sku}",
            "hs_sku": sku,
            "quantity": quantity,
            "price": price,
            "hs_discount_percentage": "0",
        },
    }


def hubspot_world() -> dict[str, Any]:
    fabrication = {
        "id": "7000001",
        "label": "Fabrication",
        "displayOrder": 1,
        "stages": [
            {
                "id": "7000010",
                "label": "Demande reçue",
                "metadata": {"isClosed": "false", "probability": "0.1"},
            },
            {
                "id": "7000011",
                "label": "Soumission envoyée",
                "metadata": {"isClosed": "false", "probability": "0.5"},
            },
            {
                "id": "7000014",
                "label": "Négociation",
                "metadata": {"isClosed": "false", "probability": "0.7"},
            },
            {
                "id": "7000012",
                "label": "Soumission acceptée",
                "metadata": {"isClosed": "true", "probability": "1.0"},
            },
            {
                "id": "7000013",
                "label": "Perdue",
                "metadata": {"isClosed": "true", "probability": "0.0"},
            },
        ],
    }
    return {
        "portals": [
            {
                "hubId": HUB_ID,
                "name": "Usinage Beauce inc.",
                "domain": "usinage-beauce.example.com",
                "currencies": ["CAD", "USD"],
                "pipelines": {"deals": [fabrication]},
                "companies": [
                    {
                        "id": "101",
                        "properties": {
                            "name": "Les Aciers Lévis Ltée",
                            "domain": "acier-levis.ca",
                            "city": "Lévis",
                        },
                    },
                    {
                        "id": "102",
                        "properties": {
                            "name": "Usinage Trois-Rivières inc.",
                            "city": "Trois-Rivières",
                        },
                    },
                    {"id": "103", "properties": {"name": "Béton Québec"}},
                ],
                "deals": [
                    _deal(
                        "201",
                        "Supports soudés",
                        ("default", "appointmentscheduled"),
                        company="101",
                        items=("401", "402"),
                    ),
                    _deal(
                        "202",
                        "Bâtis usinés",
                        ("7000001", "7000010"),
                        "USD",
                        company="102",
                        items=("403",),
                    ),
                    _deal(
                        "203",
                        "Ancienne commande",
                        ("default", "closedwon"),
                        company="101",
                    ),
                    _deal(
                        "204", "Coffrages", ("default", "qualifiedtobuy"), company="103"
                    ),
                    _deal(
                        "205",
                        "Pièce inconnue",
                        ("default", "appointmentscheduled"),
                        company="102",
                        items=("404",),
                    ),
                    _deal(
                        "206", "Sans entreprise", ("default", "appointmentscheduled")
                    ),
                    _sparse_deal("207", company="101", items=("405",)),
                    _deal(
                        "208",
                        "Quantité négative",
                        ("default", "appointmentscheduled"),
                        company="101",
                        items=("406",),
                    ),
                ],
                "line_items": [
                    _item("401", "SUP-100", "2", "12.5"),
                    _item("402", "VIS-200", "10", "0.35"),
                    _item("403", "SUP-100", "40", "11.75"),
                    _item("404", "NOPE-1", "1", "99"),
                    {"id": "405", "properties": {"hs_sku": "VIS-200", "quantity": "3"}},
                    _item("406", "SUP-100", "-5", "12.5"),
                ],
            },
            {"hubId": 99001, "name": "Autre portail", "domain": "autre.example.com"},
        ]
    }


def genius_world() -> dict[str, Any]:
    stamp = "2026-11-20 09:00:00"
    customer = {
        "Address1": "",
        "Address2": "",
        "City": "",
        "Province": "QC",
        "PostalCode": "",
        "Country": "CA",
        "Phone": "",
        "Email": "",
        "Website": "",
        "Currency": "CAD",
        "Language": "FR",
        "ExternalReference": "",
        "ModifiedAt": stamp,
    }
    return {
        "companies": [
            {
                "code": GENIUS_COMPANY,
                "name": "Usinage Beauce inc.",
                "timezone": "America/Toronto",
                "currency": "CAD",
                "language": "FR",
                "api_keys": [GENIUS_KEY],
                "items": [
                    {
                        "Code": "SUP-100",
                        "DescriptionFr": "Support soudé",
                        "DescriptionEn": "Welded bracket",
                        "Unit": "UN",
                        "UnitPrice": "12.5000",
                        "Active": True,
                    },
                    {
                        "Code": "VIS-200",
                        "DescriptionFr": "Vis 200",
                        "DescriptionEn": "Screw",
                        "Unit": "UN",
                        "UnitPrice": "0.3500",
                        "Active": True,
                    },
                ],
                "customers": [
                    {
                        **customer,
                        "Code": "ACILEV",
                        "Name": "Aciers Lévis",
                        "Website": "https://www.acier-levis.ca",
                    },
                    {**customer, "Code": "BETON1", "Name": "Béton Québec"},
                    {**customer, "Code": "BETON2", "Name": "BETON QUEBEC INC."},
                ],
            }
        ]
    }


@dataclass
class World:
    """Both sandboxes, their URLs, and the installed tenant."""

    hubspot: Sandbox
    hubspot_url: str
    genius: GeniusSandbox
    genius_url: str
    tenant_id: int
    redis: Redis

    def erp(self) -> httpx.AsyncClient:
        """Plain HTTP to the Genius API, as an ERP user's program would call it."""
        return httpx.AsyncClient(
            base_url=f"{self.genius_url}/api/v1",
            headers={
                "X-Genius-Api-Key": GENIUS_KEY,
                "X-Genius-Company": GENIUS_COMPANY,
            },
        )


@pytest.fixture
def sandboxes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple]:
    genius_fixture = tmp_path / "genius.json"
    genius_fixture.write_text(json.dumps(genius_world()))
    genius = GeniusSandbox(
        load_state(read_fixture(genius_fixture)),
        state_path=tmp_path / "genius-state.json",
        faults=Faults(
            webhook_backoff_s=0.05, webhook_attempts=2, rate_limit_per_s=1000
        ),
    )
    hubspot = Sandbox(build_world(hubspot_world()))
    with serve_hubspot(hubspot) as running, serve_genius(genius) as genius_url:
        settings = get_settings().hubspot
        monkeypatch.setattr(settings, "api_base", running.url)
        monkeypatch.setattr(settings, "auth_base", running.url)
        yield hubspot, running.url, genius, genius_url


@pytest.fixture
async def world(db: None, redis: Redis, sandboxes: tuple) -> World:
    hubspot, hubspot_url, genius, genius_url = sandboxes
    tenant_id = await install_portal(redis, HUB_ID)
    check = await save_connection(
        tenant_id, base_url=genius_url, company=GENIUS_COMPANY, api_key=GENIUS_KEY
    )
    assert check.ok, check.message
    return World(hubspot, hubspot_url, genius, genius_url, tenant_id, redis)
