"""Checking property writes the way HubSpot does, before anything is stored."""

from __future__ import annotations

import json
from typing import Any

from sandbox.hubspot import catalog
from sandbox.hubspot.errors import ApiError, validation_error
from sandbox.hubspot.values import ValueProblem, normalize_value
from sandbox.hubspot.world import Portal, Record


class WriteRejected(Exception):
    """An input HubSpot refuses; `error` is what it would answer for it."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.message)
        self.error = error


def check_properties(
    portal: Portal,
    object_type: str,
    raw: Any,
    *,
    record: Record | None = None,
) -> dict[str, str]:
    """Normalised values, or WriteRejected with HubSpot's 400 or 409."""
    if not isinstance(raw, dict):
        raise WriteRejected(validation_error("properties must be an object"))
    problems: list[dict[str, Any]] = []
    values: dict[str, str] = {}
    for name, raw_value in raw.items():
        definition = portal.properties[object_type].get(name)
        if definition is None or definition.get("archived"):
            problems.append(
                _problem(
                    name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'
                )
            )
            continue
        if definition["modificationMetadata"].get("readOnlyValue"):
            problems.append(
                _problem(
                    name,
                    "READ_ONLY_VALUE",
                    f"{name} is a read only property; its value cannot be set.",
                )
            )
            continue
        try:
            values[name] = normalize_value(
                definition, "" if raw_value is None else raw_value
            )
        except ValueProblem as problem:
            problems.append(_problem(name, problem.code, problem.message))
    if object_type == "deals" and not problems:
        problems += _stage_problems(portal, values, record)
    if problems:
        raise WriteRejected(_invalid(problems))
    _check_unique(portal, object_type, values, record)
    return values


def _problem(name: str, code: str, message: str) -> dict[str, Any]:
    return {"message": message, "code": code, "context": {"propertyName": [name]}}


def _invalid(problems: list[dict[str, Any]]) -> ApiError:
    # HubSpot embeds the list of invalid values, as JSON, in the message.
    listed = [
        {
            "isValid": False,
            "message": item["message"],
            "error": item["code"],
            "name": item["context"]["propertyName"][0],
        }
        for item in problems
    ]
    return validation_error(
        f"Property values were not valid: {json.dumps(listed)}", errors=problems
    )


def _stage_problems(
    portal: Portal, values: dict[str, str], record: Record | None
) -> list[dict[str, Any]]:
    current = record.values if record is not None else {}
    if "dealstage" not in values and "pipeline" not in values:
        return []
    pipeline = values.get("pipeline") or current.get("pipeline", "")
    stage = values.get("dealstage") or current.get("dealstage", "")
    if not pipeline or not stage or portal.find_stage(pipeline, stage):
        return []
    return [
        _problem(
            "dealstage",
            "INVALID_OPTION",
            f"{stage!r} is not a valid deal stage of pipeline {pipeline!r}",
        )
    ]


def _check_unique(
    portal: Portal, object_type: str, values: dict[str, str], record: Record | None
) -> None:
    definitions = portal.properties[object_type]
    for name, value in values.items():
        if not value or not definitions[name].get("hasUniqueValue"):
            continue
        holder = find_by_unique(portal, object_type, name, value)
        if holder is not None and (record is None or holder.id != record.id):
            label = catalog.OBJECT_TYPES[object_type].label.lower()
            raise WriteRejected(
                ApiError(
                    409,
                    "CONFLICT",
                    f"A {label} with {name}={value!r} already exists. "
                    f"Existing ID: {holder.id}",
                    context={"id": [holder.id], "propertyName": [name]},
                )
            )


def find_by_unique(
    portal: Portal, object_type: str, name: str, value: str
) -> Record | None:
    if name == "hs_object_id":
        record = portal.get(object_type, value)
        return record if record is not None and not record.archived else None
    for record in portal.records[object_type].values():
        if not record.archived and record.values.get(name) == value:
            return record
    return None


def unique_property(portal: Portal, object_type: str, name: str | None) -> str:
    """The `idProperty` to look records up by; HubSpot wants a unique one."""
    if not name or name == "hs_object_id":
        return "hs_object_id"
    definition = portal.properties[object_type].get(name)
    if definition is None or not definition.get("hasUniqueValue"):
        raise WriteRejected(
            validation_error(
                f"{name} is not a unique identifier property of {object_type}"
            )
        )
    return name
