"""Single records: list, read, create, update, archive and merge.

Served on `/crm/v3/objects/{objectType}` and `/crm/objects/2026-03/{objectType}`;
the type may be named `deals`, `deal` or `0-3`.
"""

from __future__ import annotations

import bisect
from typing import Any

from starlette.responses import JSONResponse, Response

from sandbox.hubspot import catalog, shapes
from sandbox.hubspot.errors import ApiError, read_json, validation_error
from sandbox.hubspot.gate import Call
from sandbox.hubspot.world import Portal, Record, Source
from sandbox.hubspot.writes import (
    WriteRejected,
    check_properties,
    find_by_unique,
    unique_property,
)

LIST_LIMIT = 100
LIST_LIMIT_WITH_HISTORY = 50


def object_kind(call: Call) -> catalog.ObjectType:
    name = call.param("objectType")
    kind = catalog.resolve_type(name)
    if kind is None:
        raise validation_error(f"Unable to infer object type from: {name}")
    return kind


def missing(kind: catalog.ObjectType, record_id: str) -> ApiError:
    return ApiError(
        404,
        "OBJECT_NOT_FOUND",
        "Object not found.  objectId are usually numeric.",
        context={"id": [record_id]},
    )


def find_record(
    call: Call,
    kind: catalog.ObjectType,
    record_id: str,
    *,
    id_property: str | None = None,
    archived: bool = False,
) -> Record | None:
    portal = call.portal
    name = unique_property(portal, kind.name, id_property)
    if name == "hs_object_id":
        record = portal.get(kind.name, record_id)
        if record is None and call.sandbox.faults.resolve_merged_ids:
            survivor = portal.merged_into.get((kind.name, record_id))
            record = portal.get(kind.name, survivor) if survivor else None
    else:
        record = find_by_unique(portal, kind.name, name, record_id)
    if record is None or record.archived != archived:
        return None
    return record


def _flag(call: Call, name: str) -> bool:
    return call.request.query_params.get(name, "false").lower() == "true"


def _read_options(call: Call) -> tuple[list[str] | None, list[str], list[str]]:
    query = call.request.query_params
    properties = shapes.split_names(query.getlist("properties") or None) or None
    history = shapes.split_names(query.getlist("propertiesWithHistory") or None)
    associations = shapes.split_names(query.getlist("associations") or None)
    return properties, history, associations


def full_body(
    portal: Portal,
    record: Record,
    properties: list[str] | None,
    history: list[str],
    associations: list[str],
) -> dict[str, Any]:
    body = shapes.record_body(portal, record, properties, with_history=history)
    linked = shapes.v3_associations(portal, record, associations)
    if linked:
        body["associations"] = linked
    return body


async def get_object(call: Call) -> Response:
    kind = object_kind(call)
    record_id = call.param("objectId")
    query = call.request.query_params
    record = find_record(
        call,
        kind,
        record_id,
        id_property=query.get("idProperty"),
        archived=_flag(call, "archived"),
    )
    if record is None:
        if call.sandbox.faults.not_found_empty_body:
            return Response(status_code=404)
        raise missing(kind, record_id)
    properties, history, associations = _read_options(call)
    return JSONResponse(
        full_body(call.portal, record, properties, history, associations)
    )


async def list_objects(call: Call) -> Response:
    kind = object_kind(call)
    query = call.request.query_params
    properties, history, associations = _read_options(call)
    cap = LIST_LIMIT_WITH_HISTORY if history else LIST_LIMIT
    limit = _int_param(query.get("limit", "10"), "limit")
    if not 1 <= limit <= cap:
        raise validation_error(f"limit must be between 1 and {cap}, got {limit}")
    archived = _flag(call, "archived")
    ids = call.sandbox.ordered_ids(call.portal, kind.name)
    after = query.get("after")
    start = bisect.bisect_left(ids, int(after)) if after and after.isdigit() else 0
    results: list[dict[str, Any]] = []
    position = start
    records = call.portal.records[kind.name]
    while position < len(ids) and len(results) < limit:
        record = records.get(str(ids[position]))
        position += 1
        if record is not None and record.archived == archived:
            results.append(
                full_body(call.portal, record, properties, history, associations)
            )
    body: dict[str, Any] = {"results": results}
    if position < len(ids):
        # HubSpot's cursor is the id the next page starts from.
        next_after = str(ids[position])
        link = str(call.request.url.include_query_params(after=next_after))
        body["paging"] = {"next": {"after": next_after, "link": link}}
    return JSONResponse(body)


def _int_param(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise validation_error(f"{name} must be a number, got {text!r}") from None


async def create_object(call: Call) -> Response:
    kind = object_kind(call)
    body = await read_json(call.request)
    if not isinstance(body, dict):
        raise validation_error("the body must be an object with properties")
    try:
        record = create_from_input(call, kind, body)
    except WriteRejected as rejected:
        raise rejected.error from None
    return JSONResponse(
        shapes.record_body(call.portal, record, list(body["properties"])), 201
    )


def create_from_input(
    call: Call, kind: catalog.ObjectType, item: dict[str, Any]
) -> Record:
    """Check, create and associate one input of a create call."""
    values = check_properties(call.portal, kind.name, item.get("properties", {}))
    links = check_associations(call.portal, kind.name, item.get("associations") or [])
    record = call.portal.create(kind.name, values, call.source)
    for to_type, to_id, type_id in links:
        call.portal.link(kind.name, record.id, to_type, to_id, type_id, call.source)
    return record


def check_associations(
    portal: Portal, from_type: str, specs: list[Any]
) -> list[tuple[str, str, int]]:
    links = []
    for spec in specs:
        try:
            to_id = str(spec["to"]["id"])
            type_ids = [int(t["associationTypeId"]) for t in spec["types"]]
        except (KeyError, TypeError, ValueError):
            raise WriteRejected(validation_error("invalid association input")) from None
        for type_id in type_ids:
            kind = catalog.ASSOCIATION_TYPES.get(type_id)
            if kind is None or kind.from_type != from_type:
                raise WriteRejected(
                    validation_error(
                        f"association type id {type_id} is not valid from {from_type}"
                    )
                )
            target = portal.get(kind.to_type, to_id)
            if target is None or target.archived:
                raise WriteRejected(
                    validation_error(
                        f"{kind.to_type} {to_id} does not exist; cannot associate it"
                    )
                )
            links.append((kind.to_type, to_id, type_id))
    return links


async def update_object(call: Call) -> Response:
    kind = object_kind(call)
    record_id = call.param("objectId")
    body = await read_json(call.request)
    query = call.request.query_params
    record = find_record(call, kind, record_id, id_property=query.get("idProperty"))
    if record is None:
        raise missing(kind, record_id)
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
        raise validation_error("the body must be an object with properties")
    try:
        values = check_properties(
            call.portal, kind.name, body["properties"], record=record
        )
    except WriteRejected as rejected:
        raise rejected.error from None
    call.portal.update(record, values, call.source)
    return JSONResponse(
        shapes.record_body(call.portal, record, list(body["properties"]))
    )


async def archive_object(call: Call) -> Response:
    kind = object_kind(call)
    record = call.portal.get(kind.name, call.param("objectId"))
    if record is not None and not record.archived:
        call.portal.archive(record, call.source)
    return Response(status_code=204)


async def merge_objects(call: Call) -> Response:
    kind = object_kind(call)
    if not kind.mergeable:
        raise validation_error(f"{kind.name} cannot be merged")
    body = await read_json(call.request)
    try:
        primary_id = str(body["primaryObjectId"])
        other_id = str(body["objectIdToMerge"])
    except (KeyError, TypeError):
        raise validation_error(
            "primaryObjectId and objectIdToMerge are required"
        ) from None
    if primary_id == other_id:
        raise validation_error("cannot merge a record with itself")
    primary = find_record(call, kind, primary_id)
    other = find_record(call, kind, other_id)
    for record, record_id in ((primary, primary_id), (other, other_id)):
        if record is None:
            raise missing(kind, record_id)
    survivor = merge(
        call.portal,
        primary,
        other,
        call.source,
        new_id=call.sandbox.faults.merge_new_id,
    )
    return JSONResponse(shapes.record_body(call.portal, survivor, None))


def merge(
    portal: Portal, primary: Record, other: Record, source: Source, *, new_id: bool
) -> Record:
    """Fold `other` into `primary`; HubSpot may give the survivor a new id."""
    object_type = primary.object_type
    values = {k: v for k, v in other.values.items() if v}
    values.update({k: v for k, v in primary.values.items() if v})
    absorbed = [other.id, *_merged_ids(other)]
    if new_id:
        absorbed = [primary.id, *_merged_ids(primary), *absorbed]
        survivor = Record(portal.new_id(), object_type, created_ms=primary.created_ms)
        survivor.history = {k: list(v) for k, v in primary.history.items()}
        portal.records[object_type][survivor.id] = survivor
        gone = [primary, other]
    else:
        absorbed = [*_merged_ids(primary), *absorbed]
        survivor, gone = primary, [other]
    for record in gone:
        _move_links(portal, record, survivor, source)
        del portal.records[object_type][record.id]
        portal.merged_into[(object_type, record.id)] = survivor.id
    for (kind, old), target in list(portal.merged_into.items()):
        if kind == object_type and target in {r.id for r in gone}:
            portal.merged_into[(kind, old)] = survivor.id
    moved = sum(1 for k, v in other.values.items() if v and not primary.values.get(k))
    for name in ("hs_object_id", "hs_lastmodifieddate", "hs_merged_object_ids"):
        values.pop(name, None)
    portal.update(survivor, values, source)
    survivor.values["hs_merged_object_ids"] = ";".join(absorbed)
    survivor.values["hs_object_id"] = survivor.id
    portal.emit_merge(survivor, primary.id, [other.id], moved, source)
    return survivor


def _merged_ids(record: Record) -> list[str]:
    return [i for i in record.values.get("hs_merged_object_ids", "").split(";") if i]


def _move_links(portal: Portal, old: Record, new: Record, source: Source) -> None:
    for to_type, targets in list(
        portal.links.get((old.object_type, old.id), {}).items()
    ):
        for to_id, type_ids in list(targets.items()):
            portal.unlink(old.object_type, old.id, to_type, to_id, source)
            for type_id in sorted(type_ids):
                portal.link(old.object_type, new.id, to_type, to_id, type_id, source)
    portal.links.pop((old.object_type, old.id), None)
