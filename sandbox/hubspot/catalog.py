"""What every HubSpot portal has before anyone touches it.

Object types with their names and ids, the built-in properties of each type
the product uses, HubSpot's default deal pipeline, and the HubSpot-defined
association types. Portals copy these at creation; fixtures and the
properties API add to the copy.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ObjectType:
    name: str  # path name: deals
    type_id: str  # 0-3
    singular: str  # webhook prefix: deal
    label: str  # used in HubSpot's error messages: DEAL
    default_properties: tuple[str, ...]
    search_text_properties: tuple[str, ...]
    mergeable: bool = True


# TODO: contacts, tickets and quotes are not modelled; the connector syncs
# deals, companies, line items and products only.
OBJECT_TYPES: dict[str, ObjectType] = {
    "deals": ObjectType(
        "deals",
        "0-3",
        "deal",
        "DEAL",
        (
            "dealname",
            "amount",
            "closedate",
            "pipeline",
            "dealstage",
            "createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
        ),
        ("dealname", "pipeline", "dealstage", "description", "dealtype"),
    ),
    "companies": ObjectType(
        "companies",
        "0-2",
        "company",
        "COMPANY",
        ("name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"),
        ("website", "phone", "name", "domain"),
    ),
    "line_items": ObjectType(
        "line_items",
        "0-8",
        "line_item",
        "LINE_ITEM",
        (
            "quantity",
            "amount",
            "price",
            "createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
        ),
        ("name", "hs_sku", "description"),
        mergeable=False,
    ),
    "products": ObjectType(
        "products",
        "0-7",
        "product",
        "PRODUCT",
        (
            "name",
            "description",
            "price",
            "createdate",
            "hs_lastmodifieddate",
            "hs_object_id",
        ),
        ("name", "description", "price", "hs_sku"),
        mergeable=False,
    ),
}

# HubSpot accepts the plural name, the singular and the `0-x` id in paths.
_ALIASES = {
    alias: kind.name
    for kind in OBJECT_TYPES.values()
    for alias in (kind.name, kind.type_id, kind.singular, kind.singular.upper())
}
_ALIASES["line_item"] = "line_items"
_ALIASES["lineitem"] = "line_items"
_ALIASES["lineitems"] = "line_items"


def resolve_type(name: str) -> ObjectType | None:
    canonical = _ALIASES.get(name) or _ALIASES.get(name.lower())
    return OBJECT_TYPES.get(canonical) if canonical else None


def _prop(
    name: str,
    label: str,
    type_: str,
    field_type: str,
    *,
    group: str = "",
    read_only: bool = False,
    calculated: bool = False,
    options: list[dict[str, Any]] | None = None,
    unique: bool = False,
) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "type": type_,
        "fieldType": field_type,
        "groupName": group,
        "description": "",
        "options": options or [],
        "displayOrder": -1,
        "hidden": False,
        "formField": False,
        "calculated": calculated,
        "externalOptions": False,
        "hasUniqueValue": unique,
        "hubspotDefined": True,
        "archived": False,
        "createdAt": "2019-08-06T02:43:14.491Z",
        "updatedAt": "2019-08-06T02:43:14.491Z",
        "modificationMetadata": {
            "archivable": False,
            "readOnlyDefinition": True,
            "readOnlyValue": read_only or calculated,
        },
    }


def option(value: str, label: str, order: int = 0) -> dict[str, Any]:
    return {"label": label, "value": value, "displayOrder": order, "hidden": False}


def _common(group: str) -> list[dict[str, Any]]:
    return [
        _prop("createdate", "Create Date", "datetime", "date", group=group),
        _prop(
            "hs_lastmodifieddate",
            "Last Modified Date",
            "datetime",
            "date",
            group=group,
            read_only=True,
        ),
        _prop(
            "hs_object_id", "Record ID", "number", "number", group=group, read_only=True
        ),
        _prop(
            "hs_merged_object_ids",
            "Merged Record IDs",
            "enumeration",
            "checkbox",
            group=group,
            read_only=True,
        ),
    ]


def _deal_properties() -> list[dict[str, Any]]:
    group = "dealinformation"
    deal_types = [
        option("newbusiness", "New Business", 0),
        option("existingbusiness", "Existing Business", 1),
    ]
    return [
        _prop("dealname", "Deal Name", "string", "text", group=group),
        _prop("amount", "Amount", "number", "number", group=group),
        _prop("closedate", "Close Date", "datetime", "date", group=group),
        _prop("pipeline", "Pipeline", "enumeration", "select", group=group),
        _prop("dealstage", "Deal Stage", "enumeration", "radio", group=group),
        _prop("deal_currency_code", "Currency", "enumeration", "select", group=group),
        _prop("description", "Deal Description", "string", "textarea", group=group),
        _prop(
            "dealtype",
            "Deal Type",
            "enumeration",
            "radio",
            group=group,
            options=deal_types,
        ),
        _prop("hubspot_owner_id", "Deal owner", "enumeration", "select", group=group),
        _prop(
            "amount_in_home_currency",
            "Amount in company currency",
            "number",
            "number",
            group=group,
            calculated=True,
        ),
        _prop(
            "hs_deal_stage_probability",
            "Deal probability",
            "number",
            "number",
            group=group,
            calculated=True,
        ),
        _prop(
            "hs_is_closed",
            "Is Deal Closed?",
            "bool",
            "booleancheckbox",
            group=group,
            calculated=True,
            options=[option("true", "True", 0), option("false", "False", 1)],
        ),
        _prop(
            "hs_is_closed_won",
            "Is Closed Won",
            "bool",
            "booleancheckbox",
            group=group,
            calculated=True,
            options=[option("true", "True", 0), option("false", "False", 1)],
        ),
        *_common(group),
    ]


def _company_properties() -> list[dict[str, Any]]:
    group = "companyinformation"
    texts = [
        ("name", "Company name"),
        ("domain", "Company Domain Name"),
        ("website", "Website URL"),
        ("phone", "Phone Number"),
        ("address", "Street Address"),
        ("address2", "Street Address 2"),
        ("city", "City"),
        ("state", "State/Region"),
        ("zip", "Postal Code"),
        ("country", "Country/Region"),
        ("description", "Description"),
    ]
    return [
        *(_prop(name, label, "string", "text", group=group) for name, label in texts),
        *_common(group),
    ]


def _line_item_properties() -> list[dict[str, Any]]:
    group = "lineiteminformation"
    return [
        _prop("name", "Name", "string", "text", group=group),
        _prop("hs_sku", "SKU", "string", "text", group=group),
        _prop("description", "Description", "string", "textarea", group=group),
        _prop("quantity", "Quantity", "number", "number", group=group),
        _prop("price", "Unit price", "number", "number", group=group),
        _prop(
            "hs_discount_percentage",
            "Discount Percentage",
            "number",
            "number",
            group=group,
        ),
        _prop("discount", "Unit discount", "number", "number", group=group),
        _prop("amount", "Net price", "number", "number", group=group, calculated=True),
        _prop("hs_product_id", "Product ID", "number", "number", group=group),
        _prop(
            "hs_line_item_currency_code",
            "Currency",
            "enumeration",
            "select",
            group=group,
        ),
        *_common(group),
    ]


def _product_properties() -> list[dict[str, Any]]:
    group = "productinformation"
    return [
        _prop("name", "Name", "string", "text", group=group),
        _prop("hs_sku", "SKU", "string", "text", group=group),
        _prop("description", "Description", "string", "textarea", group=group),
        _prop("price", "Unit price", "number", "number", group=group),
        _prop("hs_cost_of_goods_sold", "Unit cost", "number", "number", group=group),
        *_common(group),
    ]


_BUILT_IN = {
    "deals": _deal_properties,
    "companies": _company_properties,
    "line_items": _line_item_properties,
    "products": _product_properties,
}

_GROUPS = {
    "deals": [("dealinformation", "Deal information")],
    "companies": [("companyinformation", "Company information")],
    "line_items": [("lineiteminformation", "Line item information")],
    "products": [("productinformation", "Product information")],
}


def built_in_properties(object_type: str) -> dict[str, dict[str, Any]]:
    """A fresh copy of the built-in property definitions of one object type."""
    return {prop["name"]: prop for prop in _BUILT_IN[object_type]()}


def built_in_groups(object_type: str) -> dict[str, dict[str, Any]]:
    return {
        name: {"name": name, "label": label, "displayOrder": order, "archived": False}
        for order, (name, label) in enumerate(_GROUPS[object_type])
    }


# HubSpot's default deal pipeline: stage ids, order and metadata as HubSpot
# ships them; default pipelines carry epoch 0 as their creation time.
_DEFAULT_STAGES = [
    ("appointmentscheduled", "Appointment Scheduled", "0.2", "false"),
    ("qualifiedtobuy", "Qualified To Buy", "0.4", "false"),
    ("presentationscheduled", "Presentation Scheduled", "0.6", "false"),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", "false"),
    ("contractsent", "Contract Sent", "0.9", "false"),
    ("closedwon", "Closed Won", "1.0", "true"),
    ("closedlost", "Closed Lost", "0.0", "true"),
]
EPOCH_ISO = "1970-01-01T00:00:00Z"


def default_deal_pipeline() -> dict[str, Any]:
    stages = [
        {
            "id": stage_id,
            "label": label,
            "displayOrder": order,
            "metadata": {"isClosed": closed, "probability": probability},
            "createdAt": EPOCH_ISO,
            "updatedAt": EPOCH_ISO,
            "archived": False,
            "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
        }
        for order, (stage_id, label, probability, closed) in enumerate(_DEFAULT_STAGES)
    ]
    return {
        "id": "default",
        "label": "Sales Pipeline",
        "displayOrder": 0,
        "stages": stages,
        "createdAt": EPOCH_ISO,
        "updatedAt": EPOCH_ISO,
        "archived": False,
    }


@dataclass(frozen=True)
class AssociationType:
    type_id: int
    from_type: str
    to_type: str
    reverse_id: int
    label: str | None  # None: the unlabeled default link
    v3_name: str  # what v3 record reads call it: deal_to_company_unlabeled


_ASSOCIATION_TABLE = [
    (341, "deals", "companies", 342, None, "deal_to_company_unlabeled"),
    (342, "companies", "deals", 341, None, "company_to_deal_unlabeled"),
    (5, "deals", "companies", 6, "Primary", "deal_to_company"),
    (6, "companies", "deals", 5, "Primary", "company_to_deal"),
    (19, "deals", "line_items", 20, None, "deal_to_line_item"),
    (20, "line_items", "deals", 19, None, "line_item_to_deal"),
]
ASSOCIATION_TYPES: dict[int, AssociationType] = {
    row[0]: AssociationType(*row) for row in _ASSOCIATION_TABLE
}


def association_types_between(from_type: str, to_type: str) -> list[AssociationType]:
    return [
        kind
        for kind in ASSOCIATION_TYPES.values()
        if kind.from_type == from_type and kind.to_type == to_type
    ]


def default_association(from_type: str, to_type: str) -> AssociationType | None:
    """The unlabeled type between two object types, if they can be linked."""
    for kind in association_types_between(from_type, to_type):
        if kind.label is None:
            return kind
    return None


def clone(value: Any) -> Any:
    return copy.deepcopy(value)
