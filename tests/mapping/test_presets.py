"""The presets give a new tenant a working mapping, and sync the demo through it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mapping.compiler import compile_mapping
from mapping.document import load_mapping
from mapping.presets import (
    ACCEPTED,
    CANCELLED,
    CONVERTED,
    DRAFT,
    REFUSED,
    SENT,
    default_mapping,
    stage_table,
)

T0 = datetime(2024, 6, 3, 13, 0, tzinfo=UTC)


def pairs_of(table):
    return [(p["hubspot"], p["genius"], p.get("direction", "both"))
            for p in table["pairs"]]  # fmt: skip


def test_without_pipelines_the_preset_covers_hubspots_default_pipeline():
    [table] = default_mapping()["pairs"]["deal"]["fields"][6]["options"]["tables"]

    assert table["key"] == "default"
    assert pairs_of(table) == [
        ("appointmentscheduled", DRAFT, "both"),
        ("qualifiedtobuy", DRAFT, "to_erp"),
        ("presentationscheduled", SENT, "both"),
        ("decisionmakerboughtin", SENT, "to_erp"),
        ("contractsent", SENT, "to_erp"),
        ("closedwon", ACCEPTED, "both"),
        ("closedlost", REFUSED, "both"),
        ("closedwon", CONVERTED, "to_crm"),
        ("closedlost", CANCELLED, "to_crm"),
    ]


def test_a_custom_pipeline_gets_its_table_from_stage_metadata(preset):
    tables = preset["pairs"]["deal"]["fields"][6]["options"]["tables"]
    fabrication = next(table for table in tables if table["key"] == "7000001")

    assert fabrication["label"] == "Fabrication"
    assert pairs_of(fabrication) == [
        ("7000010", DRAFT, "both"),
        ("7000011", SENT, "both"),
        ("7000014", SENT, "to_erp"),
        ("7000012", ACCEPTED, "both"),
        ("7000013", REFUSED, "both"),
        ("7000012", CONVERTED, "to_crm"),
        ("7000013", CANCELLED, "to_crm"),
    ]


def stage(stage_id, order, closed=False, probability="0.5", archived=False):
    metadata = {"isClosed": str(closed).lower(), "probability": probability}
    return {"id": stage_id, "label": stage_id.title(), "displayOrder": order,
            "archived": archived, "metadata": metadata}  # fmt: skip


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        ([stage("only", 0)], [("only", DRAFT, "both")]),
        ([stage("won", 1, True, "1.0"), stage("new", 0)],
         [("new", DRAFT, "both"), ("won", ACCEPTED, "both"),
          ("won", CONVERTED, "to_crm")]),
        ([stage("old", 0, archived=True), stage("lost", 1, True, "0.0")],
         [("lost", REFUSED, "both"), ("lost", CANCELLED, "to_crm")]),
    ],
    ids=["one-open-stage", "sorted-by-display-order", "archived-skipped-no-won"],
)  # fmt: skip
def test_stage_table_edge_cases(stages, expected):
    assert pairs_of(stage_table({"id": "9", "stages": stages})) == expected


def test_engine_owned_fields_stay_out_of_the_presets():
    genius_fields = {
        (pair, rule["genius"])
        for pair, spec in default_mapping()["pairs"].items()
        for rule in spec["fields"]
    }

    assert not genius_fields & {
        ("deal", "CustomerCode"), ("deal", "ExternalReference"), ("deal", "Lines"),
        ("company", "Code"),
    }  # fmt: skip


@pytest.fixture(scope="module")
def demo(preset):
    return compile_mapping(load_mapping(preset), genius_timezone="America/Toronto")


def test_a_demo_company_becomes_a_customer_body(demo):
    company = demo.pair("company")
    reading = company.read_hubspot(
        {"name": "Ébénisterie Tremblay inc.", "phone": "418 555-0199",
         "address": "12 rue du Moulin", "address2": None, "city": "Québec",
         "state": "Quebec", "zip": "g1k 3a1", "country": "Canada",
         "website": "https://tremblay.example"}
    )  # fmt: skip

    assert reading.errors == []
    assert company.write_genius(reading.values) == {
        "Name": "Ébénisterie Tremblay inc.", "Phone": "418 555-0199",
        "Address1": "12 rue du Moulin", "Address2": None, "City": "Québec",
        "Province": "QC", "PostalCode": "G1K 3A1", "Country": "CA",
        "Website": "https://tremblay.example",
    }  # fmt: skip


def test_a_demo_line_item_becomes_a_quote_line_body(demo):
    line = demo.pair("line_item")
    reading = line.read_hubspot(
        {"name": "Rack 4 shelves", "hs_sku": "RK-4", "quantity": "3",
         "price": "249.5", "hs_discount_percentage": "10"}
    )  # fmt: skip

    assert line.write_genius(reading.values) == {
        "ItemCode": "RK-4", "Description": "Rack 4 shelves",
        "Quantity": Decimal("3.000"), "UnitPrice": Decimal("249.5000"),
        "DiscountPercent": Decimal("10.00"),
    }  # fmt: skip


def test_the_demo_deal_and_its_quote_stay_in_step(demo):
    """Create, answer, status change, rename, conversion: each settles in one plan."""
    deal = demo.pair("deal")
    hubspot = {"dealname": "Étagères entrepôt", "description": "Livraison quai 2",
               "closedate": "2024-07-15T16:00:00.000Z", "deal_currency_code": "CAD",
               "pipeline": "7000001", "dealstage": "7000010",
               "genius_quote_number": None, "genius_quote_status": None,
               "genius_quote_total": None, "genius_quote_date": None}  # fmt: skip

    created = deal.write_genius(deal.read_hubspot(hubspot).values)
    assert created == {"Title": "Étagères entrepôt", "Notes": "Livraison quai 2",
                       "ExpiryDate": "2024-07-15", "Currency": "CAD",
                       "Status": DRAFT}  # fmt: skip

    quote = {**created, "Number": "S-000123", "Total": Decimal("4120.0000"),
             "QuoteDate": "2024-06-03"}  # fmt: skip
    snapshot, plan = sync(deal, None, hubspot, quote)
    assert plan.to_genius == {}
    assert plan.to_hubspot == {
        "genius_quote_number": "S-000123", "genius_quote_status": "draft",
        "genius_quote_total": "4120.00", "genius_quote_date": "1717372800000",
    }  # fmt: skip

    quote["Status"] = ACCEPTED
    snapshot, plan = sync(deal, snapshot, hubspot, quote)
    assert plan.to_hubspot == {"pipeline": "7000001", "dealstage": "7000012",
                               "genius_quote_status": "accepted"}  # fmt: skip

    hubspot["dealname"] = "Étagères entrepôt (phase 2)"
    snapshot, plan = sync(deal, snapshot, hubspot, quote, hubspot_later=True)
    assert (plan.to_genius, plan.to_hubspot) == (
        {"Title": "Étagères entrepôt (phase 2)"},
        {},
    )

    quote["Status"] = CONVERTED
    snapshot, plan = sync(deal, snapshot, hubspot, quote)
    assert plan.to_hubspot == {"genius_quote_status": "converted"}


def sync(deal, snapshot, hubspot, quote, *, hubspot_later=False):
    """Merge, apply the plan to both records, and check a second merge is empty."""
    hubspot_at = T0 + timedelta(minutes=5 if hubspot_later else 0)
    plan = deal.merge(
        snapshot,
        deal.read_hubspot(hubspot).side(modified_at=hubspot_at),
        deal.read_genius(quote).side(modified_at=T0),
    )
    assert plan.errors == [] and plan.conflicts == []
    hubspot.update(plan.to_hubspot)
    quote.update(plan.to_genius)
    again = deal.merge(
        plan.snapshot,
        deal.read_hubspot(hubspot).side(modified_at=hubspot_at),
        deal.read_genius(quote).side(modified_at=T0),
    )
    assert again.is_empty and not again.snapshot_changed
    return plan.snapshot, plan
