"""Associations v4: reading links, linking with the default or a label, unlinking.

Creating a labelled link (the primary company of a deal) also creates the
unlabeled one, and each link exists in both directions with its own type id.
In practice HubSpot returns `toObjectId` as a number although its OpenAPI
document says string; the sandbox does the same.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from sandbox.hubspot import catalog
from sandbox.hubspot.errors import ApiError, read_json, standard_error, validation_error
from sandbox.hubspot.gate import Call
from sandbox.hubspot.shapes import batch_body, sort_numeric
from sandbox.hubspot.values import now_ms
from sandbox.hubspot.world import Portal

READ_LIMIT = 500


def _kinds(call: Call, from_param: str, to_param: str) -> tuple[str, str]:
    names = []
    for param in (from_param, to_param):
        kind = catalog.resolve_type(call.param(param))
        if kind is None:
            raise validation_error(
                f"Unable to infer object type from: {call.param(param)}"
            )
        names.append(kind.name)
    return names[0], names[1]


def _type_entries(type_ids: set[int]) -> list[dict[str, Any]]:
    kinds = sorted(
        (catalog.ASSOCIATION_TYPES[t] for t in type_ids),
        key=lambda k: (k.label is not None, k.type_id),
    )
    return [
        {"category": "HUBSPOT_DEFINED", "typeId": kind.type_id, "label": kind.label}
        for kind in kinds
    ]


def _linked_page(
    portal: Portal, from_type: str, from_id: str, to_type: str, after: str, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    links = portal.linked(from_type, from_id, to_type)
    ids = sort_numeric(list(links))
    start = int(after) if after.isdigit() else 0
    page = ids[start : start + limit]
    items = [
        {"toObjectId": int(to_id), "associationTypes": _type_entries(links[to_id])}
        for to_id in page
    ]
    more = start + limit < len(ids)
    return items, str(start + limit) if more else None


async def list_associations(call: Call) -> Response:
    from_type, to_type = _kinds(call, "objectType", "toObjectType")
    record_id = call.param("objectId")
    record = call.portal.get(from_type, record_id)
    if record is None or record.archived:
        raise ApiError(
            404, "OBJECT_NOT_FOUND", f"{from_type} {record_id} does not exist"
        )
    query = call.request.query_params
    limit = min(int(query.get("limit", READ_LIMIT)), READ_LIMIT)
    items, after = _linked_page(
        call.portal, from_type, record_id, to_type, query.get("after", "0"), limit
    )
    body: dict[str, Any] = {"results": items}
    if after:
        body["paging"] = {"next": {"after": after}}
    return JSONResponse(body)


async def batch_read(call: Call) -> Response:
    started = now_ms()
    from_type, to_type = _kinds(call, "fromObjectType", "toObjectType")
    body = await read_json(call.request)
    results, missing = [], []
    for item in body.get("inputs") or []:
        record_id = str(item.get("id", ""))
        items, after = _linked_page(
            call.portal,
            from_type,
            record_id,
            to_type,
            str(item.get("after") or "0"),
            READ_LIMIT,
        )
        if not items:
            missing.append(record_id)
            continue
        result: dict[str, Any] = {"from": {"id": record_id}, "to": items}
        if after:
            result["paging"] = {"next": {"after": after}}
        results.append(result)
    errors = [
        standard_error(
            "OBJECT_NOT_FOUND",
            f"No {catalog.OBJECT_TYPES[to_type].singular} is associated with "
            f"{catalog.OBJECT_TYPES[from_type].singular} {record_id}.",
            context={"fromObjectId": [record_id]},
        )
        for record_id in missing
    ]
    answer, status = batch_body(results, errors, started)
    return JSONResponse(answer, status_code=status)


def _require(portal: Portal, object_type: str, record_id: str) -> None:
    record = portal.get(object_type, record_id)
    if record is None or record.archived:
        raise ApiError(
            400, "VALIDATION_ERROR", f"{object_type} {record_id} does not exist"
        )


def _default_result(from_type: str, from_id: str, to_type: str, to_id: str) -> dict:
    kind = catalog.default_association(from_type, to_type)
    if kind is None:
        raise validation_error(f"{from_type} cannot be associated with {to_type}")
    return {
        "from": {"id": from_id},
        "to": {"id": to_id},
        "associationSpec": {
            "associationCategory": "HUBSPOT_DEFINED",
            "associationTypeId": kind.type_id,
        },
    }


def _link_default(
    call: Call, from_type: str, from_id: str, to_type: str, to_id: str
) -> dict:
    result = _default_result(from_type, from_id, to_type, to_id)
    _require(call.portal, from_type, from_id)
    _require(call.portal, to_type, to_id)
    type_id = result["associationSpec"]["associationTypeId"]
    call.portal.link(from_type, from_id, to_type, to_id, type_id, call.source)
    return result


async def associate_default(call: Call) -> Response:
    started = now_ms()
    from_type, to_type = _kinds(call, "fromObjectType", "toObjectType")
    result = _link_default(
        call, from_type, call.param("fromObjectId"), to_type, call.param("toObjectId")
    )
    answer, _ = batch_body([result], [], started)
    return JSONResponse(answer)


async def batch_associate_default(call: Call) -> Response:
    started = now_ms()
    from_type, to_type = _kinds(call, "fromObjectType", "toObjectType")
    body = await read_json(call.request)
    results, errors = [], []
    for item in body.get("inputs") or []:
        from_id, to_id = str(item["from"]["id"]), str(item["to"]["id"])
        try:
            results.append(_link_default(call, from_type, from_id, to_type, to_id))
        except ApiError as error:
            errors.append(
                standard_error(
                    error.category, error.message, context={"fromObjectId": [from_id]}
                )
            )
    answer, status = batch_body(results, errors, started)
    return JSONResponse(answer, status_code=status)


def _link_labels(
    call: Call, from_type: str, from_id: str, to_type: str, to_id: str, specs: Any
) -> dict[str, Any]:
    _require(call.portal, from_type, from_id)
    _require(call.portal, to_type, to_id)
    for spec in specs if isinstance(specs, list) else []:
        type_id = int(spec.get("associationTypeId", 0))
        kind = catalog.ASSOCIATION_TYPES.get(type_id)
        if kind is None or (kind.from_type, kind.to_type) != (from_type, to_type):
            raise validation_error(
                f"association type {type_id} does not fit {from_type} -> {to_type}"
            )
        call.portal.link(from_type, from_id, to_type, to_id, type_id, call.source)
    types = call.portal.linked(from_type, from_id, to_type).get(to_id, set())
    return {
        "fromObjectTypeId": catalog.OBJECT_TYPES[from_type].type_id,
        "fromObjectId": from_id,
        "toObjectTypeId": catalog.OBJECT_TYPES[to_type].type_id,
        "toObjectId": to_id,
        "labels": [
            catalog.ASSOCIATION_TYPES[t].label
            for t in sorted(types)
            if catalog.ASSOCIATION_TYPES[t].label
        ],
    }


async def associate_labels(call: Call) -> Response:
    from_type, to_type = _kinds(call, "objectType", "toObjectType")
    specs = await read_json(call.request)
    result = _link_labels(
        call,
        from_type,
        call.param("objectId"),
        to_type,
        call.param("toObjectId"),
        specs,
    )
    return JSONResponse(result, status_code=201)


async def batch_create(call: Call) -> Response:
    started = now_ms()
    from_type, to_type = _kinds(call, "fromObjectType", "toObjectType")
    body = await read_json(call.request)
    results, errors = [], []
    for item in body.get("inputs") or []:
        from_id, to_id = str(item["from"]["id"]), str(item["to"]["id"])
        try:
            results.append(
                _link_labels(
                    call, from_type, from_id, to_type, to_id, item.get("types")
                )
            )
        except ApiError as error:
            errors.append(
                standard_error(
                    error.category, error.message, context={"fromObjectId": [from_id]}
                )
            )
    answer, status = batch_body(results, errors, started)
    return JSONResponse(answer, status_code=201 if status == 200 else status)


async def remove_association(call: Call) -> Response:
    from_type, to_type = _kinds(call, "objectType", "toObjectType")
    call.portal.unlink(
        from_type,
        call.param("objectId"),
        to_type,
        call.param("toObjectId"),
        call.source,
    )
    return Response(status_code=204)


async def batch_archive(call: Call) -> Response:
    from_type, to_type = _kinds(call, "fromObjectType", "toObjectType")
    body = await read_json(call.request)
    for item in body.get("inputs") or []:
        for target in item.get("to") or []:
            call.portal.unlink(
                from_type,
                str(item["from"]["id"]),
                to_type,
                str(target["id"]),
                call.source,
            )
    return Response(status_code=204)


async def list_labels(call: Call) -> Response:
    from_type, to_type = _kinds(call, "fromObjectType", "toObjectType")
    kinds = catalog.association_types_between(from_type, to_type)
    return JSONResponse(
        {
            "results": [
                {"category": "HUBSPOT_DEFINED", "typeId": k.type_id, "label": k.label}
                for k in kinds
            ]
        }
    )
