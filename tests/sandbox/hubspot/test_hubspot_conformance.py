"""The sandbox answers in the shapes HubSpot's own OpenAPI documents describe.

A walk calls every endpoint the product uses (and the errors it meets) over
real HTTP and validates each answer against the response schema of the
official document for that path, method and status. Where HubSpot's
documents and HubSpot's behaviour differ, the reference
(../shared/reference/hubspot.md) wins and the schema is relaxed, each time
for a reason written below.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from openapi_schema_validator import OAS30Validator

from sandbox.hubspot.app import Sandbox
from sandbox.hubspot.fixture import build_world
from sandbox.hubspot.server import serve_in_thread

SPECS = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "hubspot"
SCOPES = (
    "oauth crm.objects.deals.read crm.objects.deals.write crm.objects.companies.read "
    "crm.objects.companies.write crm.objects.line_items.read "
    "crm.objects.line_items.write crm.schemas.deals.write crm.schemas.companies.write"
)
REDIRECT = "http://localhost:3000/oauth/callback"
CLIENT = {"client_id": "sandbox-client-id", "client_secret": "sandbox-client-secret"}


def relax(spec: dict[str, Any]) -> dict[str, Any]:
    """Where the reference documents HubSpot answering outside its schema."""
    schemas = spec["components"]["schemas"]
    for name in (
        "SimplePublicObject",
        "SimplePublicObjectWithAssociations",
        "SimplePublicUpsertObject",
    ):
        if name in schemas:
            # §3.2: properties asked for but empty come back as null.
            values = schemas[name]["properties"]["properties"]["additionalProperties"]
            values["nullable"] = True
    if "MultiAssociatedObjectWithLabel" in schemas:
        # §3.11: toObjectId is a number in practice, a string in the document.
        target = schemas["MultiAssociatedObjectWithLabel"]["properties"]["toObjectId"]
        schemas["MultiAssociatedObjectWithLabel"]["properties"]["toObjectId"] = {
            "oneOf": [target, {"type": "integer"}]
        }
    if "AssociationSpecWithLabel" in schemas:
        # §3.11: the unlabeled type has "label": null.
        schemas["AssociationSpecWithLabel"]["properties"]["label"]["nullable"] = True
    return spec


def load_spec(name: str) -> dict[str, Any]:
    return relax(json.loads((SPECS / name).read_text()))


def deref(node: Any, spec: dict[str, Any], depth: int = 0) -> Any:
    if depth > 40:
        raise RecursionError("schema nests too deeply")
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return deref(target, spec, depth + 1)
        return {key: deref(value, spec, depth + 1) for key, value in node.items()}
    if isinstance(node, list):
        return [deref(item, spec, depth + 1) for item in node]
    return node


def response_schema(
    spec: dict[str, Any], path: str, method: str, status: int
) -> dict[str, Any] | None:
    responses = spec["paths"][path][method.lower()]["responses"]
    answer = responses.get(str(status)) or responses.get("default")
    answer = deref(answer, spec)
    content = (answer or {}).get("content", {}).get("application/json")
    return None if content is None else content["schema"]


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    world = build_world(
        {
            "portals": [
                {
                    "hubId": 62515,
                    "name": "Conformance",
                    "companies": [{"id": "101", "properties": {"name": "A"}}],
                    "deals": [
                        {
                            "id": "201",
                            "properties": {"dealname": "D", "amount": "10"},
                            "associations": {
                                "companies": [{"id": "101", "types": [5]}]
                            },
                        }
                    ],
                }
            ]
        }
    )
    with serve_in_thread(Sandbox(world)) as running:
        yield running.url


class Walk:
    """Calls the sandbox and checks every answer against HubSpot's document."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base)
        self.token = ""
        self.walked: set[tuple[str, str, str]] = set()
        self.specs: dict[str, dict[str, Any]] = {}

    def call(
        self,
        spec_name: str,
        spec_path: str,
        method: str,
        url: str,
        *,
        expect: int,
        **kwargs: Any,
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        answer = self.http.request(method, url, headers=headers, **kwargs)
        assert answer.status_code == expect, (url, answer.status_code, answer.text)
        spec = self.specs.setdefault(spec_name, load_spec(spec_name))
        schema = response_schema(spec, spec_path, method, answer.status_code)
        body = answer.json() if answer.content else None
        if schema is not None:
            OAS30Validator(schema).validate(body)
        self.walked.add((spec_name, spec_path, method))
        return body


def install(walk: Walk) -> dict[str, Any]:
    consent = walk.http.get(
        "/oauth/62515/authorize",
        params={
            "client_id": CLIENT["client_id"],
            "redirect_uri": REDIRECT,
            "scope": SCOPES,
            "state": "s",
        },
    )
    code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
    return walk.call(
        "oauth-v3.json",
        "/oauth/v3/token",
        "POST",
        "/oauth/2026-03/token",
        expect=200,
        data={
            **CLIENT,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
        },
    )


DEALS = "crm-deals-v3.json"
COMPANIES = "crm-companies-v3.json"
LINE_ITEMS = "crm-line-items-v3.json"
PROPS = "crm-properties-v3.json"
PIPES = "crm-pipelines-v3.json"
ASSOC = "crm-associations-v4.json"


def walk_records(walk: Walk) -> None:
    deals = "/crm/v3/objects/0-3"
    walk.call(
        DEALS,
        deals,
        "GET",
        "/crm/v3/objects/deals?limit=1&associations=companies",
        expect=200,
    )
    walk.call(
        DEALS,
        deals + "/{dealId}",
        "GET",
        "/crm/v3/objects/deals/201?propertiesWithHistory=amount",
        expect=200,
    )
    walk.call(
        DEALS, deals + "/{dealId}", "GET", "/crm/v3/objects/deals/999", expect=404
    )
    created = walk.call(
        DEALS,
        deals,
        "POST",
        "/crm/objects/2026-03/deals",
        expect=201,
        json={"properties": {"dealname": "N"}, "associations": []},
    )
    walk.call(
        DEALS,
        deals,
        "POST",
        "/crm/v3/objects/deals",
        expect=400,
        json={"properties": {"nope": "1"}},
    )
    walk.call(
        DEALS,
        deals + "/{dealId}",
        "PATCH",
        f"/crm/v3/objects/0-3/{created['id']}",
        expect=200,
        json={"properties": {"amount": "5"}},
    )
    walk.call(
        DEALS,
        deals + "/batch/read",
        "POST",
        "/crm/v3/objects/deals/batch/read",
        expect=207,
        json={
            "inputs": [{"id": "201"}, {"id": "999"}],
            "properties": ["dealname"],
            "propertiesWithHistory": [],
        },
    )
    walk.call(
        DEALS,
        deals + "/batch/create",
        "POST",
        "/crm/v3/objects/deals/batch/create",
        expect=207,
        json={
            "inputs": [
                {"properties": {"dealname": "a"}, "objectWriteTraceId": "1"},
                {"properties": {"amount": "x"}, "objectWriteTraceId": "2"},
            ]
        },
    )
    walk.call(
        DEALS,
        deals + "/batch/update",
        "POST",
        "/crm/v3/objects/deals/batch/update",
        expect=200,
        json={"inputs": [{"id": "201", "properties": {"amount": "7"}}]},
    )
    walk.call(
        DEALS,
        deals + "/search",
        "POST",
        "/crm/v3/objects/deals/search",
        expect=200,
        json={
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "amount", "operator": "GT", "value": "1"}
                    ]
                }
            ],
            "sorts": [
                {"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}
            ],
            "limit": 1,
        },
    )
    walk.call(
        DEALS,
        deals + "/merge",
        "POST",
        "/crm/v3/objects/deals/merge",
        expect=200,
        json={"primaryObjectId": "201", "objectIdToMerge": created["id"]},
    )
    companies = "/crm/v3/objects/companies"
    walk.call(
        COMPANIES,
        companies + "/batch/upsert",
        "POST",
        companies + "/batch/upsert",
        expect=200,
        json={
            "inputs": [
                {
                    "id": "C1",
                    "idProperty": "genius_customer_code",
                    "properties": {"name": "U"},
                }
            ]
        },
    )
    walk.call(
        COMPANIES,
        companies + "/{companyId}",
        "PATCH",
        companies + "/101",
        expect=409,
        json={"properties": {"genius_customer_code": "C1"}},
    )
    walk.call(
        LINE_ITEMS,
        "/crm/v3/objects/line_items",
        "POST",
        "/crm/v3/objects/line_items",
        expect=201,
        json={
            "properties": {"name": "L", "quantity": "2", "price": "3"},
            "associations": [
                {
                    "to": {"id": "201"},
                    "types": [
                        {
                            "associationCategory": "HUBSPOT_DEFINED",
                            "associationTypeId": 20,
                        }
                    ],
                }
            ],
        },
    )
    walk.call(
        DEALS, deals + "/{dealId}", "DELETE", "/crm/v3/objects/deals/999", expect=204
    )


def walk_definitions(walk: Walk) -> None:
    base = "/crm/v3/properties/{objectType}"
    walk.call(PROPS, base, "GET", "/crm/v3/properties/deals", expect=200)
    walk.call(
        PROPS, base + "/groups", "GET", "/crm/v3/properties/deals/groups", expect=200
    )
    walk.call(
        PROPS,
        base + "/groups",
        "POST",
        "/crm/v3/properties/companies/groups",
        expect=201,
        json={"name": "genius_erp", "label": "Genius ERP"},
    )
    for status in (201, 409):
        walk.call(
            PROPS,
            base,
            "POST",
            "/crm/v3/properties/companies",
            expect=status,
            json={
                "name": "genius_customer_code",
                "label": "Code",
                "type": "string",
                "fieldType": "text",
                "groupName": "genius_erp",
                "hasUniqueValue": True,
            },
        )
    walk.call(
        PROPS,
        base + "/{propertyName}",
        "GET",
        "/crm/v3/properties/deals/dealstage",
        expect=200,
    )
    pipes = "/crm/v3/pipelines/{objectType}"
    walk.call(PIPES, pipes, "GET", "/crm/v3/pipelines/deals", expect=200)
    walk.call(
        PIPES,
        pipes + "/{pipelineId}",
        "GET",
        "/crm/v3/pipelines/deals/default",
        expect=200,
    )
    walk.call(
        PIPES,
        pipes + "/{pipelineId}/stages",
        "GET",
        "/crm/v3/pipelines/deals/default/stages",
        expect=200,
    )


def walk_associations(walk: Walk) -> None:
    pair = "/crm/v4/associations/{fromObjectType}/{toObjectType}"
    one = "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}"
    walk.call(
        ASSOC,
        pair + "/batch/read",
        "POST",
        "/crm/v4/associations/deals/companies/batch/read",
        expect=207,
        json={"inputs": [{"id": "201"}, {"id": "999"}]},
    )
    walk.call(
        ASSOC,
        "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/"
        "{toObjectType}/{toObjectId}",
        "PUT",
        "/crm/v4/objects/deals/201/associations/default/companies/101",
        expect=200,
    )
    walk.call(
        ASSOC,
        one,
        "GET",
        "/crm/v4/objects/deals/201/associations/companies",
        expect=200,
    )
    walk.call(
        ASSOC,
        one + "/{toObjectId}",
        "PUT",
        "/crm/v4/objects/deals/201/associations/companies/101",
        expect=201,
        json=[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}],
    )
    walk.call(
        ASSOC,
        pair + "/batch/create",
        "POST",
        "/crm/v4/associations/deals/companies/batch/create",
        expect=201,
        json={
            "inputs": [
                {
                    "from": {"id": "201"},
                    "to": {"id": "101"},
                    "types": [
                        {
                            "associationCategory": "HUBSPOT_DEFINED",
                            "associationTypeId": 341,
                        }
                    ],
                }
            ]
        },
    )


def walk_tokens(walk: Walk, issued: dict[str, Any]) -> None:
    walk.call(
        "oauth-v3.json",
        "/oauth/v3/token/introspect",
        "POST",
        "/oauth/2026-03/token/introspect",
        expect=200,
        data={**CLIENT, "token": walk.token, "token_type_hint": "access_token"},
    )
    walk.call(
        "oauth-v3.json",
        "/oauth/v3/token",
        "POST",
        "/oauth/2026-03/token",
        expect=200,
        data={
            **CLIENT,
            "grant_type": "refresh_token",
            "refresh_token": issued["refresh_token"],
        },
    )
    walk.call(
        "oauth-v3.json",
        "/oauth/v3/token",
        "POST",
        "/oauth/2026-03/token",
        expect=400,
        data={**CLIENT, "grant_type": "refresh_token", "refresh_token": "na1-unknown"},
    )
    walk.call(
        "oauth-v1.json",
        "/oauth/v1/access-tokens/{token}",
        "GET",
        f"/oauth/v1/access-tokens/{walk.token}",
        expect=200,
    )
    walk.call(
        "oauth-v3.json",
        "/oauth/v3/token/revoke",
        "POST",
        "/oauth/2026-03/token/revoke",
        expect=200,
        data={**CLIENT, "token": issued["refresh_token"]},
    )
    walk.call(
        "app-uninstalls-v3.json",
        "/appinstalls/v3/external-install",
        "DELETE",
        "/appinstalls/2026-03/external-install",
        expect=204,
    )
    walk.call(
        DEALS,
        "/crm/v3/objects/0-3/{dealId}",
        "GET",
        "/crm/v3/objects/deals/201",
        expect=401,
    )


# What the product calls (sync/hubspot), each of which the walk must cover.
PRODUCT_ENDPOINTS = {
    (DEALS, "/crm/v3/objects/0-3", "GET"),
    (DEALS, "/crm/v3/objects/0-3", "POST"),
    (DEALS, "/crm/v3/objects/0-3/{dealId}", "GET"),
    (DEALS, "/crm/v3/objects/0-3/{dealId}", "PATCH"),
    (DEALS, "/crm/v3/objects/0-3/batch/read", "POST"),
    (DEALS, "/crm/v3/objects/0-3/batch/create", "POST"),
    (DEALS, "/crm/v3/objects/0-3/batch/update", "POST"),
    (DEALS, "/crm/v3/objects/0-3/search", "POST"),
    (COMPANIES, "/crm/v3/objects/companies/batch/upsert", "POST"),
    (COMPANIES, "/crm/v3/objects/companies/{companyId}", "PATCH"),
    (LINE_ITEMS, "/crm/v3/objects/line_items", "POST"),
    (PROPS, "/crm/v3/properties/{objectType}", "GET"),
    (PROPS, "/crm/v3/properties/{objectType}", "POST"),
    (PROPS, "/crm/v3/properties/{objectType}/groups", "GET"),
    (PROPS, "/crm/v3/properties/{objectType}/groups", "POST"),
    (PIPES, "/crm/v3/pipelines/{objectType}", "GET"),
    (ASSOC, "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read", "POST"),
    (
        ASSOC,
        "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/"
        "{toObjectType}/{toObjectId}",
        "PUT",
    ),
    ("oauth-v3.json", "/oauth/v3/token", "POST"),
    ("oauth-v3.json", "/oauth/v3/token/introspect", "POST"),
    ("oauth-v3.json", "/oauth/v3/token/revoke", "POST"),
    ("app-uninstalls-v3.json", "/appinstalls/v3/external-install", "DELETE"),
}


def test_every_answer_matches_hubspot_s_schemas(sandbox_url):
    walk = Walk(sandbox_url)
    issued = install(walk)
    walk.token = issued["access_token"]

    walk_definitions(walk)
    walk_records(walk)
    walk_associations(walk)
    walk_tokens(walk, issued)

    assert walk.walked >= PRODUCT_ENDPOINTS, PRODUCT_ENDPOINTS - walk.walked


@pytest.mark.parametrize(
    ("spec_name", "schema_name", "instance"),
    [
        (
            DEALS,
            "SimplePublicObject",
            {
                "id": "1",
                "archived": False,
                "createdAt": "2026-01-01T00:00:00.000Z",
                "updatedAt": "2026-01-01T00:00:00.000Z",
                "properties": {"amount": None},
            },
        ),
        (
            ASSOC,
            "MultiAssociatedObjectWithLabel",
            {
                "toObjectId": 101,
                "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": 341, "label": None}
                ],
            },
        ),
    ],
    ids=["null-property", "numeric-target-unlabeled"],
)
def test_each_relaxation_is_needed(spec_name, schema_name, instance):
    """Without its relaxation the document refuses what HubSpot really sends."""
    raw = json.loads((SPECS / spec_name).read_text())
    strict = deref(raw["components"]["schemas"][schema_name], raw)
    relaxed_spec = relax(copy.deepcopy(raw))
    relaxed = deref(relaxed_spec["components"]["schemas"][schema_name], relaxed_spec)

    assert not OAS30Validator(strict).is_valid(instance)
    assert OAS30Validator(relaxed).is_valid(instance)
