"""Reading and writing records: clears, absences, coercion, required fields, junk."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ENUM_OPTIONS = {
    "pairs": [{"hubspot": "a", "genius": "A"}, {"hubspot": "b", "genius": 2}]
}
EVERY_TYPE = {
    "string": {},
    "number": {"scale": 2},
    "enum": ENUM_OPTIONS,
    "multi_enum": ENUM_OPTIONS,
    "date": {},
    "datetime": {},
    "bool": {},
}
RULES = [
    {"name": kind, "hubspot": f"hs_{kind}", "genius": f"G{kind}", "type": kind,
     "options": options}
    for kind, options in EVERY_TYPE.items()
]  # fmt: skip
RULES.append(
    {"name": "close", "hubspot": "hs_close", "genius": "Gclose", "type": "date",
     "hubspot_type": "datetime"}
)  # fmt: skip
NAMES = [rule["name"] for rule in RULES]
T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def every(pair_of):
    return pair_of(*RULES)


@pytest.mark.parametrize("blank", ["", None, "   ", "\t\n"], ids=repr)
@pytest.mark.parametrize("system", ["hubspot", "genius"])
def test_case3_blank_input_reads_as_cleared_for_every_type(every, blank, system):
    if system == "hubspot":
        reading = every.read_hubspot({f"hs_{name}": blank for name in NAMES})
    else:
        reading = every.read_genius({f"G{name}": blank for name in NAMES})

    assert reading.errors == []
    assert reading.values == dict.fromkeys(NAMES)


def test_case3_cleared_values_are_written_as_clears_never_as_zero_or_epoch(every):
    cleared = dict.fromkeys(NAMES)

    to_hubspot = every.write_hubspot(cleared)
    to_genius = every.write_genius(cleared)

    assert to_hubspot == {f"hs_{name}": "" for name in NAMES}
    assert to_genius == {f"G{name}": None for name in NAMES}
    assert not {"NaN", "0", "1970-01-01", "0.00"} & set(to_hubspot.values())


def test_case4_hubspot_body_has_changed_fields_only_with_clears_and_zero(pair_of):
    pair = pair_of(
        {
            "name": "notes",
            "hubspot": "description",
            "genius": "Notes",
            "type": "string",
        },
        {"name": "title", "hubspot": "dealname", "genius": "Title", "type": "string"},
        {"name": "total", "hubspot": "amount", "genius": "Total", "type": "number"},
    )
    snapshot = {"notes": "call first", "title": "Order", "total": "12"}
    hubspot = pair.read_hubspot(
        {"description": "call first", "dealname": "Order", "amount": "12"}
    )
    genius = pair.read_genius({"Notes": None, "Title": "Order", "Total": Decimal(0)})

    plan = pair.merge(
        snapshot, hubspot.side(modified_at=T0), genius.side(modified_at=T0)
    )

    assert plan.to_hubspot == {"description": "", "amount": "0"}
    assert plan.to_genius == {}


def test_case5_hubspot_empty_string_clears_the_genius_field(pair_of):
    pair = pair_of(
        {"name": "notes", "hubspot": "description", "genius": "Notes", "type": "string"}
    )
    hubspot = pair.read_hubspot({"description": ""})
    genius = pair.read_genius({"Notes": "call first"})

    plan = pair.merge(
        {"notes": "call first"},
        hubspot.side(modified_at=T0),
        genius.side(modified_at=T0),
    )

    assert hubspot.values == {"notes": None}  # a clear, not "no change"
    assert plan.to_genius == {"Notes": None}
    assert plan.snapshot == {"notes": None} and plan.snapshot_changed


def test_an_absent_property_is_no_information_not_a_clear(pair_of):
    pair = pair_of(
        {"name": "notes", "hubspot": "description", "genius": "Notes", "type": "string"}
    )

    plan = pair.merge(
        {"notes": "call first"},
        pair.read_hubspot({}).side(modified_at=T0),
        pair.read_genius({"Notes": "call first"}).side(modified_at=T0),
    )

    assert plan.is_empty and not plan.snapshot_changed


def test_case7_text_that_is_not_a_number_is_an_error_naming_the_field(pair_of):
    pair = pair_of(
        {"name": "total", "hubspot": "amount", "genius": "Total", "type": "number"},
        {"name": "title", "hubspot": "dealname", "genius": "Title", "type": "string"},
    )

    reading = pair.read_hubspot({"amount": "abc", "dealname": "Order"})

    assert reading.values == {"title": "Order"}
    [error] = reading.errors
    assert (error.field, error.system, error.value) == ("total", "hubspot", "'abc'")
    assert error.message.startswith("Field 'total' (read from HubSpot 'amount'): 'abc'")
    assert not reading.failed


def test_a_required_field_error_fails_the_whole_record(pair_of):
    pair = pair_of(
        {"name": "title", "hubspot": "dealname", "genius": "Title", "type": "string",
         "required": True},
        {"name": "notes", "hubspot": "description", "genius": "Notes",
         "type": "string"},
    )  # fmt: skip
    hubspot = pair.read_hubspot({"dealname": "  ", "description": "new notes"})

    plan = pair.merge(
        {"title": "Order", "notes": "old"},
        hubspot.side(modified_at=T0),
        pair.read_genius({"Title": "Order", "Notes": "old"}).side(modified_at=T0),
    )

    assert hubspot.failed and "is required but empty" in hubspot.errors[0].message
    assert plan.failed
    assert (plan.to_genius, plan.to_hubspot) == ({}, {})
    assert plan.snapshot == {"title": "Order", "notes": "old"}


def test_a_default_fills_an_empty_source(pair_of):
    pair = pair_of(
        {"name": "currency", "hubspot": "deal_currency_code", "genius": "Currency",
         "type": "enum", "default": "CAD",
         "options": {"pairs": [{"hubspot": "CAD", "genius": "CAD"},
                               {"hubspot": "USD", "genius": "USD"}]}},
    )  # fmt: skip

    assert pair.read_hubspot({"deal_currency_code": ""}).values == {"currency": "CAD"}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.decimals()
    | st.text()
    | st.datetimes()
    | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner),
    max_leaves=5,
)


stored_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner),
    max_leaves=5,
)


@settings(max_examples=200, deadline=None)
@given(
    hubspot=st.dictionaries(st.sampled_from([f"hs_{n}" for n in NAMES]), json_values),
    genius=st.dictionaries(st.sampled_from([f"G{n}" for n in NAMES]), json_values),
    snapshot=st.none()
    | stored_json
    | st.dictionaries(st.sampled_from(NAMES), stored_json),
)
def test_bad_input_never_raises_out_of_the_engine(every, hubspot, genius, snapshot):
    """Junk anywhere (even where HubSpot only ever sends text) is a field error."""
    h = every.read_hubspot(hubspot)
    g = every.read_genius(genius)

    plan = every.merge(snapshot, h.side(modified_at=T0), g.side(modified_at=T0))

    json.dumps(plan.snapshot)
    assert {e.field for e in [*h.errors, *g.errors]} <= set(NAMES)
    assert all(len(e.value) <= 60 for e in [*h.errors, *g.errors])
