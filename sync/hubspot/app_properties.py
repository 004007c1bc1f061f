"""The connector's own HubSpot properties, in their own group `genius_erp`.

Created at install and checked again on every install, so that adding a
property here reaches every portal. HubSpot offers no way to make a custom
property read-only for people; the sync-state property says in its
description that the connector overwrites it.
"""

from __future__ import annotations

from typing import Any

GROUP = {"name": "genius_erp", "label": "Genius ERP", "displayOrder": -1}

QUOTE_STATUSES = [
    ("draft", "Draft / Brouillon"),
    ("sent", "Sent / Envoyée"),
    ("accepted", "Accepted / Acceptée"),
    ("refused", "Refused / Refusée"),
    ("cancelled", "Cancelled / Annulée"),
    ("converted", "Converted to order / Convertie en commande"),
]


def _property(
    name: str, label: str, type_: str, field_type: str, description: str, **extra: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "type": type_,
        "fieldType": field_type,
        "groupName": GROUP["name"],
        "description": description,
        "formField": False,
        **extra,
    }


DEAL_PROPERTIES = [
    _property(
        "genius_quote_number",
        "Genius quote number",
        "string",
        "text",
        "Number of the Genius ERP quote made from this deal (set by the connector).",
    ),
    _property(
        "genius_quote_status",
        "Genius quote status",
        "enumeration",
        "select",
        "Status of the linked Genius ERP quote (set by the connector).",
        options=[
            {"label": label, "value": value, "displayOrder": n, "hidden": False}
            for n, (value, label) in enumerate(QUOTE_STATUSES)
        ],
    ),
    _property(
        "genius_quote_total",
        "Genius quote total",
        "number",
        "number",
        "Total of the linked Genius ERP quote, in the deal's currency.",
        numberDisplayHint="currency",
    ),
    _property(
        "genius_quote_date",
        "Genius quote date",
        "date",
        "date",
        "Date of the linked Genius ERP quote.",
    ),
    _property(
        "genius_sync_state",
        "Genius sync state",
        "string",
        "text",
        "Outcome of the last sync with Genius ERP. Written by the connector; "
        "edits are overwritten.",
    ),
]

COMPANY_PROPERTIES = [
    _property(
        "genius_customer_code",
        "Genius customer code",
        "string",
        "text",
        "Code of the matching Genius ERP customer; unique across companies.",
        hasUniqueValue=True,
    ),
]

APP_PROPERTIES: dict[str, list[dict[str, Any]]] = {
    "deals": DEAL_PROPERTIES,
    "companies": COMPANY_PROPERTIES,
}
