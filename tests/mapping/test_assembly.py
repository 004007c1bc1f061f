"""The generated fast paths read exactly what each field's own reader reads.

The per-pair readers inline common cases and remember repeated raw values;
these tests feed the same raw values to both and compare, including a value
read twice (the second time from the memo) and values equal across types
(1, True, Decimal(1)) that must not share a memo entry.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.problems import LeaveAlone, ValueProblem

PAIRS = [{"hubspot": "one", "genius": 1}, {"hubspot": "x", "genius": "X"},
         {"hubspot": "true", "genius": "T"}]  # fmt: skip
RULES = [
    {"name": "text", "type": "string"},
    {"name": "upper", "type": "string",
     "options": {"case": "upper", "max_length": 4}},
    {"name": "raw_text", "type": "string",
     "options": {"trim": False, "max_length": 3, "overflow": "reject"}},
    {"name": "money", "type": "number", "options": {"scale": 2, "max": "1000"}},
    {"name": "loose", "type": "number"},
    {"name": "typed", "type": "number",
     "options": {"scale": 1, "text_format": "fr-CA"}},
    {"name": "pick", "type": "enum", "options": {"pairs": PAIRS}},
    {"name": "picks", "type": "multi_enum", "options": {"pairs": PAIRS}},
    {"name": "day", "type": "date"},
    {"name": "moment", "type": "datetime"},
    {"name": "flag", "type": "bool"},
]  # fmt: skip
for spec in RULES:
    spec.update(hubspot=f"hs_{spec['name']}", genius=f"G_{spec['name']}")

raw_values = (
    st.none()
    | st.text(max_size=12)
    | st.sampled_from(["1", "one", "X", "true", "2024-02-29", "12,5", " 7 ", "NaN"])
    | st.integers(-3, 3)
    | st.booleans()
    | st.decimals(allow_nan=True, allow_infinity=True, places=3)
    | st.lists(st.sampled_from(["one", "X", 1, True]), max_size=3)
)


@pytest.fixture(scope="module")
def pair(pair_of):
    return pair_of(*RULES)


def reference(read: Any, raw: Any) -> tuple[str, Any]:
    try:
        return "value", read(raw)
    except ValueProblem as problem:
        return "error", problem.expected
    except LeaveAlone:
        return "left", None


def generated(reading: Any, name: str) -> tuple[str, Any]:
    if name in reading.values:
        return "value", reading.values[name]
    errors = [error.expected for error in reading.errors if error.field == name]
    return ("error", errors[0]) if errors else ("left", None)


@pytest.mark.parametrize("system", ["hubspot", "genius"])
@settings(max_examples=400, deadline=None)
@given(name=st.sampled_from([spec["name"] for spec in RULES]), raw=raw_values)
def test_generated_reader_agrees_with_the_field_reader(pair, system, name, raw):
    field = next(f for f in pair.fields if f.name == name)
    own = field.read_hubspot if system == "hubspot" else field.read_genius
    read = pair.read_hubspot if system == "hubspot" else pair.read_genius
    key = field.hubspot if system == "hubspot" else field.genius
    if system == "hubspot" and not (raw is None or isinstance(raw, str)):
        return  # HubSpot sends text or null only

    expected = reference(own, raw)
    first, again = read({key: raw}), read({key: raw})

    assert generated(first, name) == expected
    assert generated(again, name) == expected


@pytest.mark.parametrize(
    ("first", "then"),
    [(1, True), (1, Decimal(1)), ("1", 1), (["X"], ("X",))],
    ids=["int-then-bool", "int-then-decimal", "text-then-int", "list-then-tuple"],
)
def test_values_equal_across_types_do_not_share_a_memo_entry(pair, first, then):
    for name in ("pick", "money", "picks"):
        field = next(f for f in pair.fields if f.name == name)
        pair.read_genius({field.genius: first})

        reading = pair.read_genius({field.genius: then})

        assert generated(reading, name) == reference(field.read_genius, then), name
