"""Property definitions, property groups and deal pipelines."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from sandbox.hubspot import catalog
from sandbox.hubspot.errors import ApiError, read_json, standard_error, validation_error
from sandbox.hubspot.fixture import custom_property
from sandbox.hubspot.gate import Call
from sandbox.hubspot.objects_api import object_kind
from sandbox.hubspot.shapes import batch_body
from sandbox.hubspot.values import iso_from_ms, now_ms

FIELD_TYPES = {
    "string": {
        "text",
        "textarea",
        "html",
        "phonenumber",
        "file",
        "calculation_equation",
    },
    "number": {"number", "calculation_equation"},
    "date": {"date"},
    "datetime": {"date"},
    "enumeration": {
        "select",
        "radio",
        "checkbox",
        "booleancheckbox",
        "calculation_equation",
    },
    "bool": {"booleancheckbox", "calculation_equation"},
}
UNIQUE_LIMIT = 10


def _properties(call: Call) -> tuple[str, dict[str, dict[str, Any]]]:
    kind = object_kind(call)
    return kind.name, call.portal.properties[kind.name]


async def list_properties(call: Call) -> Response:
    _, definitions = _properties(call)
    archived = call.request.query_params.get("archived", "false").lower() == "true"
    results = [p for p in definitions.values() if bool(p.get("archived")) == archived]
    return JSONResponse({"results": results})


async def get_property(call: Call) -> Response:
    _, definitions = _properties(call)
    name = call.param("propertyName")
    definition = definitions.get(name)
    if definition is None or definition.get("archived"):
        raise ApiError(404, "OBJECT_NOT_FOUND", f"Unable to find property {name}")
    return JSONResponse(definition)


def _create_one(call: Call, object_type: str, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise validation_error("a property definition must be an object")
    for key in ("name", "label", "type", "fieldType", "groupName"):
        if not raw.get(key):
            raise validation_error(f"{key} is required to create a property")
    definitions = call.portal.properties[object_type]
    name = str(raw["name"])
    if name in definitions and not definitions[name].get("archived"):
        raise ApiError(
            409,
            "OBJECT_ALREADY_EXISTS",
            f"Property named '{name}' already exists for object type {object_type}",
            sub_category="Property.PROPERTY_EXISTS",
        )
    allowed = FIELD_TYPES.get(raw["type"])
    if allowed is None or raw["fieldType"] not in allowed:
        raise validation_error(
            f"fieldType {raw['fieldType']!r} cannot be used with type {raw['type']!r}"
        )
    if raw["groupName"] not in call.portal.groups[object_type]:
        raise validation_error(f"property group {raw['groupName']!r} does not exist")
    if raw.get("hasUniqueValue"):
        unique = [p for p in definitions.values() if p.get("hasUniqueValue")]
        if len([p for p in unique if not p["hubspotDefined"]]) >= UNIQUE_LIMIT:
            raise validation_error(
                f"{object_type} already has {UNIQUE_LIMIT} unique-value properties"
            )
    definition = custom_property(raw, "request")
    definition["createdUserId"] = str(call.grant.user_id)
    definitions[name] = definition
    call.portal.refresh_currency_options()
    return definition


async def create_property(call: Call) -> Response:
    object_type, _ = _properties(call)
    return JSONResponse(
        _create_one(call, object_type, await read_json(call.request)), 201
    )


async def batch_create_properties(call: Call) -> Response:
    started = now_ms()
    object_type, _ = _properties(call)
    body = await read_json(call.request)
    results, errors = [], []
    for raw in body.get("inputs") or []:
        try:
            results.append(_create_one(call, object_type, raw))
        except ApiError as error:
            errors.append(
                standard_error(
                    error.category,
                    error.message,
                    context={"name": [str(raw.get("name"))]},
                )
            )
    answer, status = batch_body(results, errors, started)
    return JSONResponse(answer, status_code=201 if status == 200 else status)


async def update_property(call: Call) -> Response:
    _, definitions = _properties(call)
    name = call.param("propertyName")
    definition = definitions.get(name)
    if definition is None or definition.get("archived"):
        raise ApiError(404, "OBJECT_NOT_FOUND", f"Unable to find property {name}")
    if definition["hubspotDefined"]:
        raise validation_error(f"{name} is defined by HubSpot and cannot be changed")
    changes = await read_json(call.request)
    for key in (
        "label",
        "description",
        "groupName",
        "displayOrder",
        "hidden",
        "formField",
        "fieldType",
        "type",
    ):
        if key in changes:
            definition[key] = changes[key]
    if "options" in changes:
        definition["options"] = custom_property(
            {"name": name, "options": changes["options"]}, "request"
        )["options"]
    definition["updatedAt"] = iso_from_ms(now_ms())
    return JSONResponse(definition)


async def archive_property(call: Call) -> Response:
    _, definitions = _properties(call)
    definition = definitions.get(call.param("propertyName"))
    if definition is not None and not definition["hubspotDefined"]:
        definition["archived"] = True
        definition["archivedAt"] = iso_from_ms(now_ms())
    return Response(status_code=204)


async def list_groups(call: Call) -> Response:
    kind = object_kind(call)
    groups = [g for g in call.portal.groups[kind.name].values() if not g["archived"]]
    return JSONResponse({"results": groups})


async def get_group(call: Call) -> Response:
    kind = object_kind(call)
    group = call.portal.groups[kind.name].get(call.param("groupName"))
    if group is None or group["archived"]:
        raise ApiError(404, "OBJECT_NOT_FOUND", "Unable to find the property group")
    return JSONResponse(group)


async def create_group(call: Call) -> Response:
    kind = object_kind(call)
    raw = await read_json(call.request)
    if not isinstance(raw, dict) or not raw.get("name") or not raw.get("label"):
        raise validation_error("name and label are required to create a group")
    groups = call.portal.groups[kind.name]
    if raw["name"] in groups and not groups[raw["name"]]["archived"]:
        raise ApiError(
            409,
            "OBJECT_ALREADY_EXISTS",
            f"A property group named '{raw['name']}' already exists",
        )
    group = {
        "name": str(raw["name"]),
        "label": str(raw["label"]),
        "displayOrder": int(raw.get("displayOrder", -1)),
        "archived": False,
    }
    groups[group["name"]] = group
    return JSONResponse(group, 201)


# TODO: pipelines are read-only here (no create, replace, update, delete or
# audit): the connector only reads them; fixtures define the portal's own.
def _pipelines(call: Call) -> list[dict[str, Any]]:
    name = call.param("objectType")
    kind = catalog.resolve_type(name)
    if kind is None or kind.name not in call.portal.pipelines:
        raise ApiError(404, "OBJECT_NOT_FOUND", f"no pipelines for object type {name}")
    return call.portal.pipelines[kind.name]


def _pipeline(call: Call) -> dict[str, Any]:
    pipeline_id = call.param("pipelineId")
    for pipeline in _pipelines(call):
        if pipeline["id"] == pipeline_id:
            return pipeline
    raise ApiError(404, "OBJECT_NOT_FOUND", f"pipeline {pipeline_id} does not exist")


async def list_pipelines(call: Call) -> Response:
    return JSONResponse({"results": [p for p in _pipelines(call) if not p["archived"]]})


async def get_pipeline(call: Call) -> Response:
    return JSONResponse(_pipeline(call))


async def list_stages(call: Call) -> Response:
    return JSONResponse({"results": _pipeline(call)["stages"]})


async def get_stage(call: Call) -> Response:
    stage_id = call.param("stageId")
    for stage in _pipeline(call)["stages"]:
        if stage["id"] == stage_id:
            return JSONResponse(stage)
    raise ApiError(404, "OBJECT_NOT_FOUND", f"stage {stage_id} does not exist")
