"""Previewing a mapping on one sample shows every output and every field error."""

from __future__ import annotations

from decimal import Decimal

from mapping.document import load_mapping
from mapping.preview import preview_record


def test_a_hubspot_sample_shows_the_genius_body_and_its_errors(preset):
    doc = load_mapping(preset)

    preview = preview_record(
        doc,
        "deal",
        "hubspot",
        {
            "dealname": "Racks",
            "closedate": "next week",
            "deal_currency_code": "EUR",
            "pipeline": "default",
            "dealstage": "closedwon",
        },
        genius_timezone="America/Toronto",
    )

    assert preview.outputs == {"Title": "Racks", "Status": 30}
    assert [(e.field, e.value) for e in preview.errors] == [
        ("expiry_date", "'next week'"),
        ("currency", "'EUR'"),
    ]
    assert preview.values == {"title": "Racks", "stage": 30}
    assert preview.issues == []


def test_a_genius_sample_shows_the_hubspot_properties(preset):
    preview = preview_record(
        load_mapping(preset),
        "deal",
        "genius",
        {"Number": "S-000124", "Status": 60, "Total": Decimal("99.999")},
        genius_timezone="America/Toronto",
    )

    assert preview.outputs == {
        "genius_quote_number": "S-000124",
        "genius_quote_status": "converted",
        "pipeline": "default",
        "dealstage": "closedwon",
        "genius_quote_total": "100.00",
    }
    assert preview.values["quote_total"] == "100.00"


def test_problems_of_the_mapping_come_back_as_issues(preset):
    doc = load_mapping(preset)

    bad_zone = preview_record(doc, "deal", "hubspot", {}, genius_timezone="Mars/Base")
    bad_pair = preview_record(doc, "ticket", "hubspot", {}, genius_timezone="UTC")
    bad_side = preview_record(doc, "deal", "erp", {}, genius_timezone="UTC")

    assert "is not an IANA timezone name" in bad_zone.issues[0].message
    assert "the mapping has no pair 'ticket'" in bad_pair.issues[0].message
    assert "side must be 'hubspot' or 'genius'" in bad_side.issues[0].message
