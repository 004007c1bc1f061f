"""CRM search: filter groups, one sort, 200 per page, and the 10,000 cap.

Search reads an index that lags behind writes (`index_delay_ms`): a new
record is invisible and an updated one shows its old values until the
index catches up. Archived records never appear. Filter values on dates
are epoch milliseconds; string comparisons ignore case, enumerations do not.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.responses import JSONResponse, Response

from sandbox.hubspot import shapes
from sandbox.hubspot.errors import read_json, validation_error
from sandbox.hubspot.faults import Faults
from sandbox.hubspot.gate import Call
from sandbox.hubspot.objects_api import object_kind
from sandbox.hubspot.values import ms_from_text, now_ms, sort_key
from sandbox.hubspot.world import Portal, Record

PAGE_LIMIT = 200
RESULT_CAP = 10_000
BODY_LIMIT = 3_000
OPERATORS = {
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
}


async def search_objects(call: Call) -> Response:
    kind = object_kind(call)
    raw = await call.request.body()
    if len(raw) > BODY_LIMIT:
        raise validation_error(
            f"The search request body is {len(raw)} characters; "
            f"the limit is {BODY_LIMIT}."
        )
    body = await read_json(call.request)
    if not isinstance(body, dict):
        raise validation_error("the search body must be an object")
    groups = body.get("filterGroups") or []
    check_filters(groups, call.sandbox.faults)
    limit = _number(body.get("limit", 10), "limit")
    if not 0 < limit <= PAGE_LIMIT:
        raise validation_error(f"limit must be between 1 and {PAGE_LIMIT}, got {limit}")
    offset = _number(body.get("after") or 0, "after")
    if offset >= RESULT_CAP:
        raise validation_error(
            f"after={offset} is past the {RESULT_CAP} results search can page through; "
            "narrow the filters instead"
        )
    sort = parse_sort(body.get("sorts") or [])

    portal = call.portal
    matches = _matching(call, kind, body, groups, sort)
    end = min(offset + limit, len(matches), RESULT_CAP)
    properties = shapes.split_names(body.get("properties")) or None
    results = [
        shapes.record_body(portal, record, properties, values=values)
        for record, values in matches[offset:end]
    ]
    answer: dict[str, Any] = {"total": len(matches), "results": results}
    if end < len(matches):
        # Past 10,000 the next page is refused, but HubSpot still offers it.
        answer["paging"] = {"next": {"after": str(end)}}
    return JSONResponse(answer)


def _matching(
    call: Call,
    kind: Any,
    body: dict[str, Any],
    groups: list[Any],
    sort: tuple[str, bool] | None,
) -> list[tuple[Record, dict[str, str]]]:
    """Sorted matches; reused across the pages of one query while nothing changes."""
    portal = call.portal
    key = json.dumps(
        [portal.hub_id, kind.name, groups, sort, body.get("query")], default=str
    )
    cache = call.sandbox.search_cache
    cached = cache.get(key)
    if cached is not None and cached[0] == portal.version and not portal.index_delay_ms:
        return cached[1]
    at_ms = now_ms()
    matches = []
    for record in portal.records[kind.name].values():
        values = record.searchable_values(at_ms)
        if record.archived or values is None:
            continue
        if matches_groups(portal, record, values, groups) and _matches_query(
            values, kind.search_text_properties, body.get("query")
        ):
            matches.append((record, values))
    matches.sort(key=_ordering(portal, kind.name, sort))
    if len(cache) > 32:
        cache.clear()
    cache[key] = (portal.version, matches)
    return matches


def _number(value: Any, name: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise validation_error(f"{name} must be a number, got {value!r}") from None


def check_filters(groups: Any, faults: Faults) -> None:
    if not isinstance(groups, list):
        raise validation_error("filterGroups must be a list")
    if len(groups) > faults.search_max_filter_groups:
        raise validation_error(
            f"{len(groups)} filter groups; at most "
            f"{faults.search_max_filter_groups} are allowed"
        )
    total = 0
    for group in groups:
        filters = group.get("filters") or []
        total += len(filters)
        if len(filters) > faults.search_max_filters_per_group:
            raise validation_error(
                f"{len(filters)} filters in one group; at most "
                f"{faults.search_max_filters_per_group} are allowed"
            )
        for item in filters:
            if item.get("operator") not in OPERATORS:
                raise validation_error(f"unknown operator {item.get('operator')!r}")
    if total > faults.search_max_filters:
        raise validation_error(
            f"{total} filters in all; at most {faults.search_max_filters} are allowed"
        )


def parse_sort(sorts: Any) -> tuple[str, bool] | None:
    """(property, descending); HubSpot honours a single sort rule."""
    if not isinstance(sorts, list):
        raise validation_error("sorts must be a list")
    if not sorts:
        return None
    if len(sorts) > 1:
        raise validation_error("only one sort is allowed per search")
    rule = sorts[0]
    if isinstance(rule, str):
        # The OpenAPI document types sorts as strings: "name" or "-name".
        return (rule.lstrip("-"), rule.startswith("-"))
    return (str(rule.get("propertyName", "")), rule.get("direction") == "DESCENDING")


def _ordering(portal: Portal, object_type: str, sort: tuple[str, bool] | None) -> Any:
    definitions = portal.properties[object_type]
    if sort is None:
        return lambda pair: (pair[0].created_ms, int(pair[0].id))
    name, descending = sort
    definition = definitions.get(name)

    def key(pair: tuple[Record, dict[str, str]]) -> Any:
        empty, number, text = sort_key(definition, pair[1].get(name))
        record_id = int(pair[0].id)
        if descending:
            return (empty, _Reverse((number, text)), record_id)
        return (empty, number, text, record_id)

    return key


class _Reverse:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reverse) -> bool:
        return other.value < self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reverse) and other.value == self.value


def matches_groups(
    portal: Portal, record: Record, values: dict[str, str], groups: list[Any]
) -> bool:
    if not groups:
        return True
    return any(
        all(_matches(portal, record, values, item) for item in group.get("filters", []))
        for group in groups
    )


def _matches(
    portal: Portal, record: Record, values: dict[str, str], item: dict[str, Any]
) -> bool:
    name = str(item.get("propertyName", ""))
    operator = item["operator"]
    if name.startswith("associations."):
        linked = portal.linked(record.object_type, record.id, _plural(name[13:]))
        wanted = {str(v) for v in item.get("values") or [item.get("value")]}
        found = bool(wanted & set(linked))
        return found if operator in ("EQ", "IN") else not found
    definition = portal.properties[record.object_type].get(name)
    current = values.get(name) or ""
    if operator == "HAS_PROPERTY":
        return current != ""
    if operator == "NOT_HAS_PROPERTY":
        return current == ""
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        found = _has_token(current, str(item.get("value", "")))
        return found if operator == "CONTAINS_TOKEN" else not found
    kind = definition["type"] if definition else "string"
    if operator in ("IN", "NOT_IN"):
        # HubSpot compares string values as written: callers send lowercase.
        listed = [str(v) for v in item.get("values") or []]
        probe = current.lower() if kind == "string" else current
        found = any(_equal(kind, probe, v) for v in listed)
        return found if operator == "IN" else not found
    if current == "" and operator != "NEQ":
        return False
    value = str(item.get("value", ""))
    if operator == "EQ":
        return _equal(kind, current, value)
    if operator == "NEQ":
        return not _equal(kind, current, value)
    if operator == "BETWEEN":
        high = str(item.get("highValue", ""))
        return (
            _compare(kind, current, value) >= 0 and _compare(kind, current, high) <= 0
        )
    order = _compare(kind, current, value)
    return {"LT": order < 0, "LTE": order <= 0, "GT": order > 0, "GTE": order >= 0}[
        operator
    ]


def _plural(name: str) -> str:
    return {
        "company": "companies",
        "deal": "deals",
        "line_item": "line_items",
        "product": "products",
    }.get(name, name)


def _comparable(kind: str, text: str) -> Any:
    try:
        if kind == "number":
            return Decimal(text)
        if kind in ("datetime", "date"):
            return ms_from_text(text)
    except (InvalidOperation, ValueError):
        pass
    return text.lower()


def _equal(kind: str, left: str, right: str) -> bool:
    if kind == "enumeration":
        return left == right  # enumeration filters are case-sensitive
    return _comparable(kind, left) == _comparable(kind, right)


def _compare(kind: str, left: str, right: str) -> int:
    a, b = _comparable(kind, left), _comparable(kind, right)
    if type(a) is not type(b):
        a, b = str(a), str(b)
    return (a > b) - (a < b)


def _has_token(text: str, token: str) -> bool:
    words = re.findall(r"[\w@.-]+", text.lower())
    pattern = re.escape(token.lower()).replace(r"\*", ".*")
    return any(re.fullmatch(pattern, word) for word in words)


def _matches_query(values: dict[str, str], names: tuple[str, ...], query: Any) -> bool:
    if not query:
        return True
    haystack = " ".join(values.get(name) or "" for name in names).lower()
    words = re.findall(r"\w+", haystack)
    return all(
        any(word.startswith(term) for word in words)
        for term in re.findall(r"\w+", str(query).lower())
    )
