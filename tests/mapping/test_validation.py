"""Validating a mapping against both schemas speaks to the admin who must fix it."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import pytest

from mapping.validation import validate_mapping


def deal_rules(preset: dict[str, Any]) -> list[dict[str, Any]]:
    return preset["pairs"]["deal"]["fields"]


def rule_named(preset: dict[str, Any], pair: str, name: str) -> dict[str, Any]:
    return next(r for r in preset["pairs"][pair]["fields"] if r["name"] == name)


def stage_table(preset: dict[str, Any], key: str) -> dict[str, Any]:
    tables = rule_named(preset, "deal", "stage")["options"]["tables"]
    return next(table for table in tables if table["key"] == key)


def messages(preset: dict[str, Any], schemas: dict[str, Any]) -> list[str]:
    return [
        f"{issue.severity}: {issue.message}"
        for issue in validate_mapping(preset, **schemas)
    ]


def test_the_preset_is_valid_for_the_demo_portal(preset, schemas):
    assert validate_mapping(preset, **schemas) == []


def break_stage_of_other_pipeline(doc, schemas):
    stage_table(doc, "7000001")["pairs"].append(
        {"hubspot": "closedwon", "genius": 30, "direction": "to_erp"}
    )


def break_stage_coverage(doc, schemas):
    table = stage_table(doc, "7000001")
    table["pairs"] = [p for p in table["pairs"] if p["hubspot"] != "7000014"]


def break_pipeline_table(doc, schemas):
    options = rule_named(doc, "deal", "stage")["options"]
    options["tables"] = [t for t in options["tables"] if t["key"] != "default"]
    options["default_key"] = "7000001"


def break_status_stage(doc, schemas):
    table = stage_table(doc, "7000001")
    table["pairs"] = [p for p in table["pairs"] if p["genius"] != 50]


def break_unknown_property(doc, schemas):
    rule_named(doc, "deal", "notes")["hubspot"] = "notes_field"


def break_number_into_text(doc, schemas):
    rule_named(doc, "deal", "quote_number")["hubspot"] = "amount"


def break_closedate_shape(doc, schemas):
    del rule_named(doc, "deal", "expiry_date")["hubspot_type"]


def break_read_only_hubspot(doc, schemas):
    rule_named(doc, "deal", "quote_number")["hubspot"] = "genius_sync_state"


def break_computed_genius(doc, schemas):
    rule = rule_named(doc, "deal", "quote_total")
    rule["direction"] = "both"


def break_required_genius(doc, schemas):
    rule_named(doc, "deal", "title")["direction"] = "to_crm"


def break_engine_owned(doc, schemas):
    deal_rules(doc).append(
        {"name": "customer", "hubspot": "dealname", "genius": "CustomerCode",
         "type": "string", "direction": "to_crm"}
    )  # fmt: skip


def break_two_writers(doc, schemas):
    rule_named(doc, "deal", "notes")["genius"] = "Title"


def break_enum_option(doc, schemas):
    rule_named(doc, "deal", "currency")["options"]["pairs"].append(
        {"hubspot": "EUR", "genius": "EUR"}
    )


def break_enum_coverage(doc, schemas):
    deals = schemas["hubspot_properties"]["deals"]
    currency = next(p for p in deals if p["name"] == "deal_currency_code")
    currency["options"].append({"value": "EUR", "label": "Euro"})


def break_max_length(doc, schemas):
    del rule_named(doc, "deal", "title")["options"]


def break_unknown_genius(doc, schemas):
    rule_named(doc, "company", "phone")["genius"] = "Telephone"


BROKEN = [
    (break_stage_of_other_pipeline,
     "error: Deal ↔ quote, field 'stage': Stage 'closedwon' is not a stage of "
     "pipeline 'Fabrication' (7000001)"),
    (break_stage_coverage,
     "error: Deal ↔ quote, field 'stage': Deal stage 'Négociation' in pipeline "
     "'Fabrication' has no Genius status."),
    (break_pipeline_table,
     "error: Deal ↔ quote, field 'stage': Pipeline 'Sales Pipeline' has no stage "
     "table"),
    (break_status_stage,
     "warning: Deal ↔ quote, field 'stage': Genius status 'cancelled' (50) has no "
     "stage in pipeline 'Fabrication'"),
    (break_unknown_property,
     "error: Deal ↔ quote, field 'notes': HubSpot has no deals property "
     "'notes_field'"),
    (break_number_into_text,
     "error: Deal ↔ quote, field 'quote_number': HubSpot property 'amount' holds "
     "number values, which do not fit type 'string'"),
    (break_closedate_shape,
     "error: Deal ↔ quote, field 'expiry_date': HubSpot property 'Close date' "
     "(closedate) is a datetime property: set hubspot_type to 'datetime'."),
    (break_read_only_hubspot,
     "error: Deal ↔ quote, field 'quote_number': HubSpot property "
     "'genius_sync_state' is read-only"),
    (break_computed_genius,
     "error: Deal ↔ quote, field 'quote_total': Genius field 'Total' is computed "
     "by the ERP and cannot be written"),
    (break_required_genius,
     "error: Deal ↔ quote: Genius field 'Title' is required, but no field of the "
     "mapping writes it"),
    (break_engine_owned,
     "error: Deal ↔ quote, field 'customer': Genius field 'CustomerCode' is set "
     "by the connector itself"),
    (break_two_writers,
     "error: Deal ↔ quote: fields 'title' and 'notes' both write Genius field "
     "'Title'"),
    (break_enum_option,
     "error: Deal ↔ quote, field 'currency': HubSpot property 'deal_currency_code' "
     "has no option 'EUR'"),
    (break_enum_coverage,
     "error: Deal ↔ quote, field 'currency': HubSpot option 'Euro' (EUR) of "
     "'deal_currency_code' has no Genius value."),
    (break_max_length,
     "error: Deal ↔ quote, field 'title': Genius field 'Title' holds at most 60 "
     "characters: set max_length to 60"),
    (break_unknown_genius,
     "error: Company ↔ customer, field 'phone': Genius ERP has no customers field "
     "'Telephone'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("breaks", "expected"),
    BROKEN,
    ids=[breaks.__name__.removeprefix("break_") for breaks, _ in BROKEN],
)
def test_each_fault_gets_one_message_saying_what_to_change(
    preset, schemas, breaks, expected
):
    doc = deepcopy(preset)
    breaks(doc, schemas)

    found = messages(doc, schemas)

    assert [m for m in found if m.startswith(expected)] != [], found


def test_coverage_gaps_are_warnings_when_unmapped_values_are_left_alone(
    preset, schemas
):
    doc = deepcopy(preset)
    break_stage_coverage(doc, schemas)
    rule_named(doc, "deal", "stage")["options"]["unmapped"] = "leave"

    found = messages(doc, schemas)

    assert any(m.startswith("warning: ") and "'Négociation'" in m for m in found)


def test_a_document_that_does_not_load_returns_its_load_issues(schemas):
    issues = validate_mapping({"version": 1, "pairs": {"deal": {}}}, **schemas)

    assert [issue.message for issue in issues] == [
        "Deal ↔ quote: must be an object with a 'fields' list."
    ]


def test_missing_schemas_skip_their_checks(preset):
    assert (
        validate_mapping(preset, hubspot_properties={}, pipelines=[], genius_fields={})
        == []
    )
