"""The mapping document loads with every problem named, and survives a round trip."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mapping.document import load_mapping
from mapping.problems import MappingInvalid


def one_rule(**rule: Any) -> dict[str, Any]:
    base = {"name": "f", "hubspot": "p", "genius": "G", "type": "string"}
    return {"version": 1, "pairs": {"deal": {"fields": [{**base, **rule}]}}}


def test_the_preset_round_trips_through_json(preset):
    doc = load_mapping(preset)

    again = load_mapping(json.loads(json.dumps(doc.to_dict())))

    assert again == doc
    assert again.to_dict() == doc.to_dict()


ENUM = {"pairs": [{"hubspot": "a", "genius": "A"}]}
INVALID = [
    ("not-an-object", [], "The mapping must be a JSON object"),
    ("version", {"version": 2, "pairs": {}}, "Mapping version 2 is not supported"),
    ("no-pairs", {"version": 1}, "The mapping has no 'pairs'"),
    ("unknown-pair", {"version": 1, "pairs": {"ticket": {"fields": []}}},
     "Unknown pair 'ticket'"),
    ("bad-name", one_rule(name="two words"), "needs a 'name' of letters"),
    ("type", one_rule(type="money"), "type 'money' is not one of"),
    ("direction", one_rule(direction="sideways"), "direction 'sideways' is not one of"),
    ("policy", one_rule(policy="loudest"), "policy 'loudest' is not one of"),
    ("required-flag", one_rule(required="yes"), "'required' must be true or false"),
    ("unknown-key", one_rule(colour="red"), "unknown key 'colour'"),
    ("empty-hubspot", one_rule(hubspot=" "), "'hubspot' must be a non-empty text"),
    ("string-option", one_rule(options={"max_length": 0}), "max_length must be"),
    ("number-scale", one_rule(type="number", options={"scale": 40}), "scale must be"),
    ("number-bounds", one_rule(type="number", options={"min": "5", "max": "1"}),
     "min 5 is above max 1"),
    ("float-bound", one_rule(type="number", options={"min": 0.1}),
     "min must be a number written as text"),
    ("enum-empty", one_rule(type="enum", options={}), "needs at least one pair"),
    ("enum-ambiguous", one_rule(type="enum", options={"pairs": [
        {"hubspot": "a", "genius": "A"}, {"hubspot": "a", "genius": "B"}]}),
     "HubSpot value 'a' reads as both 'A' and 'B'"),
    ("enum-two-writes", one_rule(type="enum", options={"pairs": [
        {"hubspot": "a", "genius": "A"}, {"hubspot": "b", "genius": "A"}]}),
     "Genius value 'A' is written as both 'a' and 'b'"),
    ("enum-bool-value", one_rule(type="enum", options={"pairs": [
        {"hubspot": "a", "genius": True}]}), "'genius' must be a text or whole"),
    ("default-not-in-table", one_rule(type="enum", default="Z", options=ENUM),
     "default 'Z' is not a Genius value of any pair"),
    ("default-needed", one_rule(type="enum", options={**ENUM, "unmapped": "default"}),
     "unmapped values use the default, but there is none"),
    ("default-type", one_rule(type="date", default="tomorrow"),
     "default 'tomorrow' is not a valid date"),
    ("keyed-no-tables", one_rule(type="enum", options={"keyed_by": "pipeline"}),
     "a keyed enum needs a non-empty 'tables' list"),
    ("multi-keyed", one_rule(type="multi_enum", options={
        "keyed_by": "pipeline", "tables": [{"key": "x", "pairs": []}]}),
     "a multi_enum field cannot be keyed"),
    ("shape-on-text", one_rule(hubspot_type="datetime"), "hubspot_type 'datetime'"),
    ("date-format", one_rule(type="date", options={"formats": ["%d"]}),
     "format '%d' cannot be read back"),
    ("write-time", one_rule(type="date", options={"write_time": "noon"}),
     "write_time must be HH:MM"),
    ("bool-overlap", one_rule(type="bool", options={"true_tokens": ["y"],
                                                    "false_tokens": ["Y"]}),
     "are both true and false"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("document", "expected"),
    [(document, expected) for _, document, expected in INVALID],
    ids=[case for case, _, _ in INVALID],
)
def test_an_invalid_document_names_its_problem(document, expected):
    with pytest.raises(MappingInvalid) as raised:
        load_mapping(document)

    assert any(expected in issue.message for issue in raised.value.issues), [
        issue.message for issue in raised.value.issues
    ]
    assert all(issue.severity == "error" for issue in raised.value.issues)


def test_every_problem_is_reported_at_once():
    document = one_rule(direction="sideways", policy="loudest", colour="red")

    with pytest.raises(MappingInvalid) as raised:
        load_mapping(document)

    assert len(raised.value.issues) == 3
    assert raised.value.issues[0].pair == "deal"
    assert raised.value.issues[0].field == "f"
    assert str(raised.value).startswith("the mapping has 3 problem(s): Deal ↔ quote")


def test_duplicate_field_names_are_refused():
    document = one_rule()
    document["pairs"]["deal"]["fields"] *= 2

    with pytest.raises(MappingInvalid, match="field name 'f' is used twice"):
        load_mapping(document)
