"""Batch read, create, update, upsert and archive, at most 100 inputs each.

A batch where some inputs fail answers 207 with the successful records in
`results` and one `StandardError` per failure. Validation failures on create
and update are all-or-nothing (400) unless every input carries its own
`objectWriteTraceId`, as HubSpot documents.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from sandbox.hubspot import catalog, shapes
from sandbox.hubspot.errors import ApiError, read_json, standard_error, validation_error
from sandbox.hubspot.gate import Call
from sandbox.hubspot.objects_api import (
    check_associations,
    find_record,
    object_kind,
)
from sandbox.hubspot.values import now_ms
from sandbox.hubspot.world import Record
from sandbox.hubspot.writes import (
    WriteRejected,
    check_properties,
    unique_property,
)

BATCH_LIMIT = 100


async def read_inputs(call: Call) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    body = await read_json(call.request)
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise validation_error("inputs must be a list of objects")
    if len(inputs) > BATCH_LIMIT:
        raise validation_error(
            f"Batch input size {len(inputs)} exceeds the limit of {BATCH_LIMIT}",
            context={"limit": [str(BATCH_LIMIT)]},
        )
    return body, inputs


def _not_found(kind: catalog.ObjectType, ids: list[str]) -> dict[str, Any]:
    return standard_error(
        "OBJECT_NOT_FOUND",
        f"Could not get some {kind.label} objects, they may be deleted or not exist. "
        "Check that ids are valid.",
        context={"ids": ids},
    )


def _item_error(
    error: ApiError, trace: str | None, record_id: str = ""
) -> dict[str, Any]:
    context = dict(error.context or {})
    if trace:
        context["objectWriteTraceId"] = [trace]
    if record_id:
        context.setdefault("ids", [record_id])
    return standard_error(
        error.category, error.message, context=context, errors=error.errors
    )


def _answer(
    results: list[dict[str, Any]],
    errors: list[dict[str, Any]],
    started_ms: int,
    ok_status: int = 200,
) -> Response:
    body, status = shapes.batch_body(results, errors, started_ms)
    return JSONResponse(body, status_code=ok_status if status == 200 else status)


def _traced(inputs: list[dict[str, Any]]) -> bool:
    traces = [item.get("objectWriteTraceId") for item in inputs]
    return all(traces) and len(set(traces)) == len(traces)


async def batch_read(call: Call) -> Response:
    started = now_ms()
    kind = object_kind(call)
    body, inputs = await read_inputs(call)
    archived = call.request.query_params.get("archived", "false").lower() == "true"
    properties = shapes.split_names(body.get("properties")) or None
    history = shapes.split_names(body.get("propertiesWithHistory"))
    try:
        id_property = unique_property(call.portal, kind.name, body.get("idProperty"))
    except WriteRejected as rejected:
        raise rejected.error from None
    results, missing, seen = [], [], set()
    for item in inputs:
        record_id = str(item.get("id", ""))
        record = find_record(
            call, kind, record_id, id_property=id_property, archived=archived
        )
        if record is None:
            missing.append(record_id)
        elif record.id not in seen:
            seen.add(record.id)
            results.append(
                shapes.record_body(
                    call.portal, record, properties, with_history=history
                )
            )
    errors = [_not_found(kind, missing)] if missing else []
    return _answer(results, errors, started)


async def batch_create(call: Call) -> Response:
    started = now_ms()
    kind = object_kind(call)
    _, inputs = await read_inputs(call)
    traced = _traced(inputs)
    checked: list[tuple[dict[str, Any], dict[str, str], list] | None] = []
    errors = []
    for item in inputs:
        try:
            values = check_properties(
                call.portal, kind.name, item.get("properties", {})
            )
            links = check_associations(
                call.portal, kind.name, item.get("associations") or []
            )
            checked.append((item, values, links))
        except WriteRejected as rejected:
            if not traced:
                raise rejected.error from None
            errors.append(_item_error(rejected.error, item["objectWriteTraceId"]))
            checked.append(None)
    results = []
    for entry in checked:
        if entry is None:
            continue
        item, values, links = entry
        record = call.portal.create(kind.name, values, call.source)
        for to_type, to_id, type_id in links:
            call.portal.link(kind.name, record.id, to_type, to_id, type_id, call.source)
        results.append(_written(call, record, item))
    return _answer(results, errors, started, ok_status=201)


def _written(call: Call, record: Record, item: dict[str, Any]) -> dict[str, Any]:
    body = shapes.record_body(call.portal, record, list(item.get("properties") or {}))
    if item.get("objectWriteTraceId"):
        body["objectWriteTraceId"] = item["objectWriteTraceId"]
    return body


async def batch_update(call: Call) -> Response:
    started = now_ms()
    kind = object_kind(call)
    _, inputs = await read_inputs(call)
    ids = [str(item.get("id", "")) for item in inputs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise validation_error(f"Duplicate IDs found in batch input: {duplicates}")
    traced = _traced(inputs)
    planned, missing, errors = [], [], []
    for item in inputs:
        try:
            record = find_record(
                call, kind, str(item.get("id", "")), id_property=item.get("idProperty")
            )
            if record is None:
                missing.append(str(item.get("id", "")))
                continue
            values = check_properties(
                call.portal, kind.name, item.get("properties", {}), record=record
            )
            planned.append((item, record, values))
        except WriteRejected as rejected:
            if not traced:
                raise rejected.error from None
            errors.append(
                _item_error(
                    rejected.error, item["objectWriteTraceId"], str(item.get("id", ""))
                )
            )
    results = []
    for item, record, values in planned:
        call.portal.update(record, values, call.source)
        results.append(_written(call, record, item))
    if missing:
        errors.insert(0, _not_found(kind, missing))
    return _answer(results, errors, started)


async def batch_upsert(call: Call) -> Response:
    started = now_ms()
    kind = object_kind(call)
    _, inputs = await read_inputs(call)
    results, errors = [], []
    for item in inputs:
        trace = item.get("objectWriteTraceId")
        key = str(item.get("id", ""))
        try:
            results.append(_upsert_one(call, kind, item, key))
        except WriteRejected as rejected:
            errors.append(_item_error(rejected.error, trace, key))
    return _answer(results, errors, started)


def _upsert_one(
    call: Call, kind: catalog.ObjectType, item: dict[str, Any], key: str
) -> dict[str, Any]:
    name = item.get("idProperty")
    if not name:
        raise WriteRejected(validation_error("idProperty is required for an upsert"))
    name = unique_property(call.portal, kind.name, name)
    record = find_record(call, kind, key, id_property=name)
    if record is None:
        wanted = dict(item.get("properties") or {})
        wanted[name] = key
        values = check_properties(call.portal, kind.name, wanted)
        record = call.portal.create(kind.name, values, call.source)
        created = True
    else:
        values = check_properties(
            call.portal, kind.name, item.get("properties") or {}, record=record
        )
        call.portal.update(record, values, call.source)
        created = False
    body = _written(call, record, item)
    body["new"] = created
    return body


async def batch_archive(call: Call) -> Response:
    kind = object_kind(call)
    _, inputs = await read_inputs(call)
    for item in inputs:
        record = call.portal.get(kind.name, str(item.get("id", "")))
        if record is not None and not record.archived:
            call.portal.archive(record, call.source)
    return Response(status_code=204)
