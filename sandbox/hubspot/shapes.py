"""Records as the CRM API returns them (`SimplePublicObject` and relatives)."""

from __future__ import annotations

from typing import Any

from sandbox.hubspot import catalog
from sandbox.hubspot.values import iso_from_ms, now_ms
from sandbox.hubspot.world import Portal, Record

# HubSpot returns these on every read, whatever was asked for.
ALWAYS = ("hs_object_id", "createdate", "hs_lastmodifieddate")


def split_names(raw: str | list[str] | None) -> list[str]:
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    parts = [part for item in items for part in str(item).split(",")]
    return [part.strip() for part in parts if part.strip()]


def record_body(
    portal: Portal,
    record: Record,
    properties: list[str] | None,
    *,
    with_history: list[str] = (),
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One record; `properties` None means the type's default set."""
    known = portal.properties[record.object_type]
    kind = catalog.OBJECT_TYPES[record.object_type]
    source = record.values if values is None else values
    wanted = list(kind.default_properties) if not properties else list(properties)
    shown: dict[str, str | None] = {}
    for name in [*wanted, *with_history, *ALWAYS]:
        if name in known and name not in shown:
            value = source.get(name)
            shown[name] = value if value != "" else None
    body: dict[str, Any] = {
        "id": record.id,
        "properties": shown,
        "createdAt": iso_from_ms(record.created_ms),
        "updatedAt": iso_from_ms(record.updated_ms),
        "archived": record.archived,
    }
    if record.archived_ms is not None:
        body["archivedAt"] = iso_from_ms(record.archived_ms)
    if with_history:
        body["propertiesWithHistory"] = {
            name: list(record.history.get(name, []))
            for name in with_history
            if name in known
        }
    return body


def v3_associations(
    portal: Portal, record: Record, to_types: list[str]
) -> dict[str, Any]:
    """The `associations` map of a v3 read: ids as strings, v3 type names."""
    result: dict[str, Any] = {}
    for name in to_types:
        kind = catalog.resolve_type(name)
        if kind is None:
            continue  # HubSpot ignores unknown association types
        links = portal.linked(record.object_type, record.id, kind.name)
        items = [
            {"id": to_id, "type": catalog.ASSOCIATION_TYPES[type_id].v3_name}
            for to_id in sorted(links, key=_numeric)
            for type_id in sorted(links[to_id], key=_label_first)
        ]
        if items:
            result[name] = {"results": items}
    return result


def _label_first(type_id: int) -> tuple[int, int]:
    return (catalog.ASSOCIATION_TYPES[type_id].label is None, type_id)


def _numeric(value: str) -> tuple[int, str]:
    return (int(value), value) if value.isdigit() else (0, value)


def batch_body(
    results: list[dict[str, Any]],
    errors: list[dict[str, Any]],
    started_ms: int,
) -> tuple[dict[str, Any], int]:
    """The batch envelope and its status: 207 when some items failed."""
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": iso_from_ms(started_ms),
        "completedAt": iso_from_ms(now_ms()),
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
        return body, 207
    return body, 200


def sort_numeric(ids: list[str]) -> list[str]:
    return sorted(ids, key=_numeric)
