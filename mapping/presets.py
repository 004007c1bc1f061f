"""Sensible starting mappings for a new tenant: company, deal and line item.

Fields the engine owns are not in the mapping: the quote's `CustomerCode`,
`ExternalReference` and `Lines`, and the customer's `Code`. The company's
domain is the engine's too (it matches customers by it).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from mapping.document import CURRENT_VERSION
from mapping.regions import CANADIAN_PROVINCES, COUNTRIES, US_STATES

# Genius quote status -> (HubSpot genius_quote_status option, English label)
QUOTE_STATUSES: Final = {
    10: ("draft", "Draft"),
    20: ("sent", "Sent"),
    30: ("accepted", "Accepted"),
    40: ("refused", "Refused"),
    50: ("cancelled", "Cancelled"),
    60: ("converted", "Converted to order"),
}
DRAFT, SENT, ACCEPTED, REFUSED, CANCELLED, CONVERTED = sorted(QUOTE_STATUSES)

# HubSpot's default deal pipeline, for portals whose pipelines are not known.
DEFAULT_PIPELINE: Final = {
    "id": "default",
    "label": "Sales Pipeline",
    "stages": [
        {"id": stage, "label": label, "displayOrder": order,
         "metadata": {"isClosed": closed, "probability": probability}}
        for order, (stage, label, closed, probability) in enumerate([
            ("appointmentscheduled", "Appointment scheduled", "false", "0.2"),
            ("qualifiedtobuy", "Qualified to buy", "false", "0.4"),
            ("presentationscheduled", "Presentation scheduled", "false", "0.6"),
            ("decisionmakerboughtin", "Decision maker bought-in", "false", "0.8"),
            ("contractsent", "Contract sent", "false", "0.9"),
            ("closedwon", "Closed won", "true", "1.0"),
            ("closedlost", "Closed lost", "true", "0.0"),
        ])
    ],
}  # fmt: skip


def default_mapping(pipelines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The preset document; stage tables for `pipelines` (HubSpot API shape)."""
    return {
        "version": CURRENT_VERSION,
        "pairs": {
            "company": {"fields": company_fields()},
            "deal": {"fields": deal_fields(pipelines or [DEFAULT_PIPELINE])},
            "line_item": {"fields": line_item_fields()},
        },
    }


def company_fields() -> list[dict[str, Any]]:
    name = _rule("name", "name", "Name", required=True)
    name["options"] = {"max_length": 60}
    return [
        name,
        _rule("phone", "phone", "Phone"),
        _rule("address", "address", "Address1"),
        _rule("address2", "address2", "Address2"),
        _rule("city", "city", "City"),
        _rule("province", "state", "Province", "enum", options=_province_options()),
        _rule("postal_code", "zip", "PostalCode", options={"case": "upper"}),
        _rule("country", "country", "Country", "enum", options=_country_options()),
        _rule("website", "website", "Website"),
    ]


def deal_fields(pipelines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    title = _rule("title", "dealname", "Title", required=True)
    title["options"] = {"max_length": 60}
    expiry = _rule("expiry_date", "closedate", "ExpiryDate", "date")
    expiry["hubspot_type"] = "datetime"
    currency = _rule(
        "currency", "deal_currency_code", "Currency", "enum", direction="to_erp"
    )
    currency["default"] = "CAD"
    currency["options"] = {"pairs": [_pair("CAD", "CAD"), _pair("USD", "USD")]}
    status_pairs = [
        _pair(option, code, label=label)
        for code, (option, label) in QUOTE_STATUSES.items()
    ]
    return [
        title,
        _rule("notes", "description", "Notes"),
        expiry,
        currency,
        _rule("quote_number", "genius_quote_number", "Number", direction="to_crm"),
        _rule(
            "quote_status",
            "genius_quote_status",
            "Status",
            "enum",
            direction="to_crm",
            options={"pairs": status_pairs},
        ),
        _rule(
            "stage",
            "dealstage",
            "Status",
            "enum",
            options={
                "keyed_by": "pipeline",
                "default_key": str(pipelines[0]["id"]),
                "tables": [stage_table(pipeline) for pipeline in pipelines],
            },
        ),
        _rule(
            "quote_total",
            "genius_quote_total",
            "Total",
            "number",
            direction="to_crm",
            options={"scale": 2},
        ),
        _rule(
            "quote_date", "genius_quote_date", "QuoteDate", "date", direction="to_crm"
        ),
    ]


def line_item_fields() -> list[dict[str, Any]]:
    quantity = _number("quantity", "quantity", "Quantity", scale=3, low="0")
    quantity["default"] = "1.000"
    return [
        _rule("item_code", "hs_sku", "ItemCode", direction="to_erp", required=True),
        _rule("description", "name", "Description", direction="to_erp"),
        quantity,
        _number("unit_price", "price", "UnitPrice", scale=4, low="0"),
        _number("discount", "hs_discount_percentage", "DiscountPercent", 2, "0", "100"),
    ]


def stage_table(pipeline: Mapping[str, Any]) -> dict[str, Any]:
    """Stage <-> status pairs for one pipeline, from its stages' metadata.

    Closed at probability 1.0 is accepted, closed at 0.0 refused; open stages
    are draft for the early half and sent for the later half. Writing: each
    status goes to the first stage that reads as it; converted goes to the
    won stage and cancelled to the lost stage.
    """
    stages = sorted(
        (s for s in pipeline.get("stages", []) if not s.get("archived")),
        key=lambda s: s.get("displayOrder", 0),
    )
    open_stages = [s for s in stages if not _is_closed(s)]
    early = max(1, len(open_stages) // 2)
    reads: list[tuple[dict[str, Any], int]] = []
    for stage in stages:
        if _is_closed(stage):
            won = _probability(stage) >= Decimal("0.5")
            reads.append((stage, ACCEPTED if won else REFUSED))
        else:
            reads.append((stage, DRAFT if open_stages.index(stage) < early else SENT))
    pairs = []
    designated: dict[int, str] = {}
    for stage, status in reads:
        first = status not in designated
        designated.setdefault(status, str(stage["id"]))
        direction = "both" if first else "to_erp"
        pairs.append(_pair(str(stage["id"]), status, direction, stage.get("label", "")))
    for status, like in ((CONVERTED, ACCEPTED), (CANCELLED, REFUSED)):
        if like in designated:
            pairs.append(_pair(designated[like], status, "to_crm"))
    return {
        "key": str(pipeline["id"]),
        "label": pipeline.get("label", ""),
        "pairs": pairs,
    }


def _is_closed(stage: Mapping[str, Any]) -> bool:
    closed = stage.get("metadata", {}).get("isClosed", False)
    return closed is True or str(closed).lower() == "true"


def _probability(stage: Mapping[str, Any]) -> Decimal:
    try:
        return Decimal(str(stage.get("metadata", {}).get("probability", "0")))
    except InvalidOperation:
        return Decimal(0)


def _province_options() -> dict[str, Any]:
    pairs = [
        _pair(code, code, label=names[0]) for code, names in CANADIAN_PROVINCES.items()
    ]
    pairs += [
        _pair(names[1], code, "to_erp")
        for code, names in CANADIAN_PROVINCES.items()
        if names[1] != names[0]
    ]
    pairs += [_pair(code, code, label=name) for code, name in US_STATES.items()]
    return {"pairs": pairs, "unmapped": "leave"}


def _country_options() -> dict[str, Any]:
    pairs = []
    for code, names in COUNTRIES.items():
        pairs.append(_pair(names[0], code))
        pairs += [_pair(name, code, "to_erp") for name in names[1:]]
    return {"pairs": pairs}


def _rule(
    name: str,
    hubspot: str,
    genius: str,
    kind: str = "string",
    *,
    direction: str = "both",
    required: bool = False,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "name": name,
        "hubspot": hubspot,
        "genius": genius,
        "type": kind,
        "direction": direction,
        "required": required,
        "policy": "newest",
        "default": None,
    }
    if options:
        rule["options"] = options
    return rule


def _number(
    name: str,
    hubspot: str,
    genius: str,
    scale: int,
    low: str | None = None,
    high: str | None = None,
) -> dict[str, Any]:
    options: dict[str, Any] = {"scale": scale}
    if low is not None:
        options["min"] = low
    if high is not None:
        options["max"] = high
    return _rule(name, hubspot, genius, "number", direction="to_erp", options=options)


def _pair(
    hubspot: str, genius: str | int, direction: str = "both", label: str = ""
) -> dict[str, Any]:
    pair: dict[str, Any] = {"hubspot": hubspot, "genius": genius}
    if direction != "both":
        pair["direction"] = direction
    if label:
        pair["label"] = label
    return pair
