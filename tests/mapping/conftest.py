"""Builders for the mapping tests: one-rule pairs, the demo pipelines, the presets."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from typing import Any

import pytest

from mapping.compiler import CompiledPair, compile_mapping
from mapping.document import load_mapping
from mapping.presets import DEFAULT_PIPELINE, default_mapping

FABRICATION = {
    "id": "7000001",
    "label": "Fabrication",
    "displayOrder": 1,
    "stages": [
        {"id": stage, "label": label, "displayOrder": order,
         "metadata": {"isClosed": closed, "probability": probability}}
        for order, (stage, label, closed, probability) in enumerate([
            ("7000010", "Demande reçue", "false", "0.1"),
            ("7000011", "Soumission envoyée", "false", "0.5"),
            ("7000014", "Négociation", "false", "0.7"),
            ("7000012", "Soumission acceptée", "true", "1.0"),
            ("7000013", "Perdue", "true", "0.0"),
        ])
    ],
}  # fmt: skip
PIPELINES = [deepcopy(DEFAULT_PIPELINE), FABRICATION]


def rule(name: str, hubspot: str, genius: str, kind: str = "string", **extra: Any):
    """A field rule document with the defaults spelled out."""
    return {"name": name, "hubspot": hubspot, "genius": genius, "type": kind, **extra}


def compile_pair(
    *rules: dict[str, Any], pair: str = "deal", tz: str = "America/Toronto"
) -> CompiledPair:
    document = {"version": 1, "pairs": {pair: {"fields": list(rules)}}}
    return compile_mapping(load_mapping(document), genius_timezone=tz).pair(pair)


@pytest.fixture(scope="session")
def pair_of() -> Callable[..., CompiledPair]:
    """`pair_of(rule_document, ...)` -> a compiled pair holding those rules."""
    return compile_pair


@pytest.fixture(scope="session")
def preset() -> dict[str, Any]:
    """The preset document for the demo portal (default and Fabrication pipelines)."""
    return default_mapping(deepcopy(PIPELINES))


@pytest.fixture(scope="session")
def deal(preset: dict[str, Any]) -> CompiledPair:
    compiled = compile_mapping(load_mapping(preset), genius_timezone="America/Toronto")
    return compiled.pair("deal")


def _prop(name: str, kind: str = "string", field_type: str = "text", **extra: Any):
    return {"name": name, "label": extra.pop("label", name), "type": kind,
            "fieldType": field_type, **extra}  # fmt: skip


def _options(*values: str) -> list[dict[str, str]]:
    return [{"value": value, "label": value.title()} for value in values]


# The demo portal's property definitions, as the properties API gives them.
HUBSPOT_PROPERTIES = {
    "companies": [
        _prop(name)
        for name in ("name", "domain", "website", "phone", "address", "address2",
                     "city", "state", "zip", "country", "genius_customer_code")
    ] + [_prop("hs_lastmodifieddate", "datetime", "date",
               modificationMetadata={"readOnlyValue": True})],
    "deals": [
        _prop("dealname", label="Deal name"),
        _prop("amount", "number", "number"),
        _prop("closedate", "datetime", "date", label="Close date"),
        _prop("pipeline", "enumeration", "select"),
        _prop("dealstage", "enumeration", "radio", label="Deal stage"),
        _prop("deal_currency_code", "enumeration", "select",
              options=_options("CAD", "USD")),
        _prop("description", "string", "textarea"),
        _prop("hs_lastmodifieddate", "datetime", "date",
              modificationMetadata={"readOnlyValue": True}),
        _prop("genius_quote_number"),
        _prop("genius_quote_status", "enumeration", "select",
              options=_options("draft", "sent", "accepted", "refused",
                               "cancelled", "converted")),
        _prop("genius_quote_total", "number", "number"),
        _prop("genius_quote_date", "date", "date"),
        _prop("genius_sync_state", modificationMetadata={"readOnlyValue": True}),
    ],
    "line_items": [
        _prop("name"), _prop("hs_sku"), _prop("quantity", "number", "number"),
        _prop("price", "number", "number"),
        _prop("hs_discount_percentage", "number", "number"),
        _prop("amount", "number", "number", calculated=True),
        _prop("hs_product_id"),
    ],
}  # fmt: skip


def _field(name: str, kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, **extra}


# The ERP's field metadata for the same three resources.
GENIUS_FIELDS = {
    "customers": [
        _field("Code", required=True, maxLength=10), _field("Name", required=True,
                                                            maxLength=60),
        *(_field(name) for name in ("Address1", "Address2", "City", "PostalCode",
                                    "Phone", "Email", "Website")),
        _field("Province", maxLength=2), _field("Country", maxLength=2),
        _field("Currency", options=["CAD", "USD"]),
        _field("Language", options=["FR", "EN"]),
        _field("ExternalReference", maxLength=50),
        _field("ModifiedAt", "datetime", readOnly=True),
    ],
    "quotes": [
        _field("Number", readOnly=True), _field("CustomerCode", required=True),
        _field("Title", required=True, maxLength=60),
        _field("Status", "integer", options=[
            {"value": code, "label": label} for code, label in
            [(10, "draft"), (20, "sent"), (30, "accepted"), (40, "refused"),
             (50, "cancelled"), (60, "converted")]]),
        _field("QuoteDate", "date"), _field("ExpiryDate", "date"),
        _field("Currency", options=["CAD", "USD"]), _field("SalesRepCode"),
        _field("Notes"), _field("ExternalReference", maxLength=50),
        _field("Lines", "array"), _field("Subtotal", "decimal", readOnly=True),
        _field("Total", "decimal", readOnly=True),
        _field("ModifiedAt", "datetime", readOnly=True),
    ],
    "quote_lines": [
        _field("LineNumber", "integer"), _field("ItemCode", required=True),
        _field("Description"), _field("Quantity", "decimal", scale=3),
        _field("UnitPrice", "decimal", scale=4),
        _field("DiscountPercent", "decimal", scale=2),
        _field("LineTotal", "decimal", readOnly=True),
    ],
}  # fmt: skip


@pytest.fixture
def schemas() -> dict[str, Any]:
    """Fresh copies of the demo schemas, for tests that break one thing."""
    return {
        "hubspot_properties": deepcopy(HUBSPOT_PROPERTIES),
        "pipelines": deepcopy(PIPELINES),
        "genius_fields": deepcopy(GENIUS_FIELDS),
    }
