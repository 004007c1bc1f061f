"""The sandbox fixture loader: seeding portals; a state that survives a restart."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sandbox.hubspot.fixture import (
    FixtureError,
    build_world,
    dump_world,
    read_document,
    save_world,
)


def demo_fixture() -> dict[str, Any]:
    return {
        "portals": [
            {
                "hubId": 62515,
                "name": "Usinage Beauce inc.",
                "domain": "usinage-beauce.example.com",
                "currencies": ["CAD", "USD"],
                "pipelines": {
                    "deals": [
                        {
                            "id": "7000001",
                            "label": "Fabrication",
                            "stages": [
                                {"id": "7000010", "label": "Demande reçue"},
                                {
                                    "id": "7000012",
                                    "label": "Soumission acceptée",
                                    "metadata": {
                                        "isClosed": "true",
                                        "probability": "1.0",
                                    },
                                },
                            ],
                        }
                    ]
                },
                "companies": [{"id": "101", "properties": {"name": "Acier X"}}],
                "deals": [
                    {
                        "id": "201",
                        "properties": {
                            "dealname": "Supports",
                            "amount": Decimal("6250.00"),
                            "pipeline": "7000001",
                            "dealstage": "7000012",
                            "deal_currency_code": "USD",
                        },
                        "updatedAt": "2026-01-11T09:00:00.001Z",
                        "associations": {
                            "companies": [{"id": "101", "types": [5]}],
                            "line_items": ["401"],
                        },
                    }
                ],
                "line_items": [
                    {
                        "id": "401",
                        "properties": {
                            "quantity": 500,
                            "price": "12.5",
                            "hs_discount_percentage": "10",
                        },
                    }
                ],
            }
        ]
    }


def test_a_portal_gets_the_default_pipeline_and_its_own():
    portal = build_world(demo_fixture()).portals[62515]

    ids = [pipeline["id"] for pipeline in portal.pipelines["deals"]]
    default_stages = [stage["id"] for stage in portal.pipelines["deals"][0]["stages"]]

    assert ids == ["default", "7000001"]
    assert default_stages == [
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
        "closedwon",
        "closedlost",
    ]


@pytest.mark.parametrize(
    ("object_type", "record_id", "name", "expected"),
    [
        ("deals", "201", "amount", "6250"),
        ("deals", "201", "hs_is_closed_won", "true"),
        ("deals", "201", "hs_lastmodifieddate", "2026-01-11T09:00:00.001Z"),
        ("deals", "201", "hs_object_id", "201"),
        ("line_items", "401", "amount", "5625"),
    ],
    ids=["number-text", "won-from-stage", "modified", "object-id", "line-amount"],
)
def test_values_are_stored_as_hubspot_returns_them(
    object_type, record_id, name, expected
):
    portal = build_world(demo_fixture()).portals[62515]

    assert portal.get(object_type, record_id).values[name] == expected


def test_a_primary_company_link_carries_both_types_in_both_directions():
    portal = build_world(demo_fixture()).portals[62515]

    assert portal.linked("deals", "201", "companies") == {"101": {5, 341}}
    assert portal.linked("companies", "101", "deals") == {"201": {6, 342}}
    assert portal.linked("line_items", "401", "deals") == {"201": {20}}


def _break(path: list[Any], value: Any) -> dict[str, Any]:
    document = demo_fixture()
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ["portals", 0, "deals", 0, "properties", "nope"],
            "x",
            "'nope' does not exist",
        ),
        (["portals", 0, "deals", 0, "properties", "deal_currency_code"], "EUR", "EUR"),
        (["portals", 0, "deals", 0, "properties", "amount"], "lots", "not a valid"),
        (["portals", 0, "deals", 0, "associations", "companies"], ["999"], "'999'"),
        (["portals", 0, "deals", 0, "associations", "tickets"], ["1"], "tickets"),
        (["portals", 0, "line_items", 0, "id"], "999", "'401' does not exist"),
    ],
    ids=[
        "unknown-property",
        "disabled-currency",
        "bad-number",
        "missing-target",
        "unknown-type",
        "dangling-link",
    ],
)
def test_a_bad_document_names_the_place(path, value, message):
    document = _break(path, value)

    with pytest.raises(FixtureError, match=r"portals\[0\]") as caught:
        build_world(document)

    assert message in str(caught.value)


def test_a_portal_without_hub_id_is_refused():
    document = demo_fixture()
    del document["portals"][0]["hubId"]

    with pytest.raises(FixtureError, match=r"portals\[0\]: 'hubId' is missing"):
        build_world(document)


def test_ids_are_unique_per_object_type_only():
    document = _break(["portals", 0, "line_items", 0, "id"], "201")
    document["portals"][0]["deals"][0]["associations"]["line_items"] = ["201"]

    portal = build_world(document).portals[62515]

    assert portal.get("line_items", "201") is not None
    assert portal.get("deals", "201") is not None


def test_a_saved_state_loads_back_the_same(tmp_path: Path):
    world = build_world(demo_fixture())
    portal = world.portals[62515]
    portal.archive(portal.get("companies", "101"), source=portal_source())
    path = tmp_path / "state.json"

    save_world(world, path)
    again = build_world(read_document(path))

    assert dump_world(again) == json.loads(json.dumps(dump_world(world)))
    assert again.portals[62515].get("companies", "101").archived
    assert again.portals[62515].next_id == portal.next_id


def portal_source():
    from sandbox.hubspot.world import Source

    return Source("CRM_UI", "userId:2000001", 2000001)
