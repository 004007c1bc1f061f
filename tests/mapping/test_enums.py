"""Enum values travel through their table, forgivingly but never invalidly."""

from __future__ import annotations

import pytest

TERMS = {
    "name": "terms",
    "hubspot": "payment_terms",
    "genius": "PaymentTerms",
    "type": "enum",
    "options": {
        "pairs": [
            {"hubspot": "net_30", "genius": "NET30", "label": "Net 30 days"},
            {"hubspot": "net_60", "genius": "NET60", "label": "Net 60 days"},
            {"hubspot": "due_now", "genius": "IMMED", "label": "Paiement immédiat"},
        ]
    },
}
TAGS = {
    "name": "tags",
    "hubspot": "industries",
    "genius": "Sectors",
    "type": "multi_enum",
    "options": {
        "pairs": [
            {"hubspot": "wood", "genius": "BOIS"},
            {"hubspot": "metal", "genius": "METAL"},
            {"hubspot": "plastic", "genius": "PLAST"},
        ]
    },
}


@pytest.mark.parametrize(
    ("raw", "option"),
    [
        ("NET30", "net_30"),
        ("Net 30 days", "net_30"),
        ("net 30 DAYS", "net_30"),
        ("net30", "net_30"),
        ("paiement immediat", "due_now"),
    ],
    ids=["case8-table", "case8-label", "label-any-case", "key-any-case", "no-accents"],
)
def test_case8_genius_values_map_to_hubspot_options(pair_of, raw, option):
    pair = pair_of(TERMS)

    reading = pair.read_genius({"PaymentTerms": raw})

    assert reading.errors == []
    assert pair.write_hubspot(reading.values) == {"payment_terms": option}


def test_case8_unmapped_value_is_a_field_error_and_no_invalid_option(pair_of):
    pair = pair_of(TERMS, {"name": "title", "hubspot": "dealname", "genius": "Title",
                           "type": "string"})  # fmt: skip
    hubspot = pair.read_hubspot({"payment_terms": "net_30", "dealname": "Order"})
    genius = pair.read_genius({"PaymentTerms": "COD", "Title": "Order"})

    plan = pair.merge(
        {"terms": "NET30", "title": "Order"},
        hubspot.side(modified_at=None),
        genius.side(modified_at=None),
    )

    [error] = genius.errors
    assert (error.field, error.system, error.value) == ("terms", "genius", "'COD'")
    assert "is not in the field's table" in error.message
    assert "payment_terms" not in plan.to_hubspot
    assert plan.errors == [error] and not plan.failed


def test_case8_reverse_direction_maps_option_back_to_genius_value(pair_of):
    pair = pair_of(TERMS)

    reading = pair.read_hubspot({"payment_terms": "net_30"})

    assert pair.write_genius(reading.values) == {"PaymentTerms": "NET30"}


@pytest.mark.parametrize(
    ("policy", "default", "expected"),
    [("default", "NET60", {"terms": "NET60"}), ("leave", None, {})],
    ids=["use-default", "leave-alone"],
)
def test_unmapped_policies(pair_of, policy, default, expected):
    pair = pair_of(
        {
            **TERMS,
            "default": default,
            "options": {**TERMS["options"], "unmapped": policy},
        }
    )

    reading = pair.read_genius({"PaymentTerms": "COD"})

    assert (reading.values, reading.errors) == (expected, [])


def test_several_hubspot_values_may_read_as_one_genius_value(pair_of):
    pairs = [
        {"hubspot": "net_30", "genius": "NET30"},
        {"hubspot": "thirty", "genius": "NET30", "direction": "to_erp"},
    ]
    pair = pair_of({**TERMS, "options": {"pairs": pairs}})

    reading = pair.read_hubspot({"payment_terms": "thirty"})

    assert reading.values == {"terms": "NET30"}
    assert pair.write_hubspot(reading.values) == {"payment_terms": "net_30"}


def test_multi_enum_round_trips_as_sorted_sets(pair_of):
    pair = pair_of(TAGS)

    reading = pair.read_hubspot({"industries": "metal;wood;;metal"})

    assert reading.values == {"tags": ("BOIS", "METAL")}
    assert pair.write_genius(reading.values) == {"Sectors": ["BOIS", "METAL"]}
    assert pair.write_hubspot(reading.values) == {"industries": "metal;wood"}
    assert pair.write_hubspot({"tags": None}) == {"industries": ""}


def test_multi_enum_from_joined_genius_text(pair_of):
    pair = pair_of({**TAGS, "options": {**TAGS["options"], "separator": ","}})

    reading = pair.read_genius({"Sectors": "PLAST,BOIS"})

    assert reading.values == {"tags": ("BOIS", "PLAST")}
    assert pair.write_genius(reading.values) == {"Sectors": "BOIS,PLAST"}
