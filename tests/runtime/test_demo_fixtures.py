"""The demo data both sandboxes are seeded with by `make run`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox import demo
from sandbox.genius.fixture import load_state, read_fixture
from sandbox.hubspot.fixture import build_world, read_document
from sync.identity import normalise_domain, normalise_name

FIXTURES = Path(demo.__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def hubspot() -> dict:
    return json.loads((FIXTURES / "hubspot_demo.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def genius() -> dict:
    return json.loads((FIXTURES / "genius_demo.json").read_text("utf-8"))


def test_committed_fixtures_are_what_the_generator_writes(tmp_path: Path):
    demo.write_fixtures(tmp_path)
    for name in ("hubspot_demo.json", "genius_demo.json"):
        assert (tmp_path / name).read_text() == (FIXTURES / name).read_text(), (
            f"{name} differs: run `python -m sandbox.demo` and commit the result"
        )


def test_both_sandboxes_load_their_fixture():
    build_world(read_document(FIXTURES / "hubspot_demo.json"))
    load_state(read_fixture(FIXTURES / "genius_demo.json"))


def test_deals_cover_both_pipelines_both_currencies_and_products(hubspot):
    portal = hubspot["portals"][0]
    deals = portal["deals"]
    assert 45 <= len(deals) <= 55
    assert {d["properties"]["pipeline"] for d in deals} == {"default", "7000001"}
    assert {d["properties"]["deal_currency_code"] for d in deals} == {"CAD", "USD"}
    fabrication = [d for d in deals if d["properties"]["pipeline"] == "7000001"]
    assert all(d["properties"]["dealstage"].isdigit() for d in fabrication)

    skus = {p["properties"]["hs_sku"] for p in portal["products"]}
    lines = {line["id"]: line for line in portal["line_items"]}
    for deal in deals:
        line_ids = deal["associations"]["line_items"]
        assert line_ids, f"deal {deal['id']} has no line item"
        assert {lines[i]["properties"]["hs_sku"] for i in line_ids} <= skus


def test_company_names_carry_accents(hubspot):
    names = [c["properties"]["name"] for c in hubspot["portals"][0]["companies"]]
    for place in ("Québec", "Lévis", "Trois-Rivières"):
        assert any(place in name for name in names), place
    assert any("Montréal" in name for name in names)


def test_genius_items_are_the_hubspot_products(hubspot, genius):
    skus = {p["properties"]["hs_sku"] for p in hubspot["portals"][0]["products"]}
    codes = {item["Code"] for item in genius["companies"][0]["items"]}
    assert codes == skus


@pytest.mark.parametrize(
    ("code", "key"),
    [
        pytest.param("METQC", "name", id="same-name-written-differently"),
        pytest.param("FONDTR", "domain", id="same-domain-written-differently"),
    ],
)
def test_two_customers_match_a_company_only_after_normalising(
    hubspot, genius, code, key
):
    customer = next(c for c in genius["companies"][0]["customers"] if c["Code"] == code)
    companies = [c["properties"] for c in hubspot["portals"][0]["companies"]]
    if key == "name":
        matches = [
            c
            for c in companies
            if normalise_name(c["name"]) == normalise_name(customer["Name"])
        ]
        assert matches and matches[0]["name"] != customer["Name"]
    else:
        matches = [
            c
            for c in companies
            if normalise_domain(c["domain"]) == normalise_domain(customer["Website"])
        ]
        assert matches and matches[0]["domain"] != customer["Website"]
        assert normalise_name(matches[0]["name"]) != normalise_name(customer["Name"])


def test_demo_ids_are_read_from_the_fixtures():
    from connector_app.demo import read_demo_ids

    assert read_demo_ids(FIXTURES) == (
        str(demo.HUB_ID),
        demo.GENIUS_COMPANY,
        demo.GENIUS_API_KEY,
    )
