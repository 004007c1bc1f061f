"""Checking a mapping against both live schemas, with messages for an admin.

`load_mapping` already checked the document on its own; here it meets the
portal's HubSpot properties and pipelines and the ERP's field metadata:
fields that do not exist, types that do not fit, enum values with no partner,
writes to read-only fields, required Genius fields nothing fills. Errors
must be fixed before the mapping is used; warnings are advice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mapping.coverage import check_enum, check_stages
from mapping.document import MappingDocument, PairMapping, issues_of, load_mapping
from mapping.problems import Issue, MappingInvalid
from mapping.reader import DocumentReader
from mapping.rules import FieldRule, StringOptions
from mapping.schemas import ENGINE_OWNED, Property, genius_schema, hubspot_schema

# rule type -> HubSpot property types it can be stored in
_HUBSPOT_FITS = {
    "string": {"string", "phone_number"},
    "number": {"number", "string"},
    "enum": {"enumeration", "string"},
    "multi_enum": {"enumeration"},
    "date": {"date", "datetime"},
    "datetime": {"datetime"},
    "bool": {"bool", "enumeration"},
}
# rule type -> Genius kinds it can be stored in
_GENIUS_FITS = {
    "string": {"string"},
    "number": {"number", "integer", "string"},
    "enum": {"enum", "string", "integer"},
    "multi_enum": {"array", "string"},
    "date": {"date", "datetime"},
    "datetime": {"datetime"},
    "bool": {"bool"},
}


def validate_mapping(
    doc: MappingDocument | Mapping[str, Any],
    *,
    hubspot_properties: Mapping[str, list[dict[str, Any]]],
    pipelines: list[dict[str, Any]],
    genius_fields: Mapping[str, list[dict[str, Any]]],
) -> list[Issue]:
    """Every issue of `doc` against the schemas; an empty list means usable.

    `hubspot_properties` and `genius_fields` are keyed by HubSpot object type
    ("deals") and Genius resource ("quotes"), or by pair name ("deal").
    """
    if not isinstance(doc, MappingDocument):
        try:
            doc = load_mapping(doc)
        except MappingInvalid:
            return issues_of(doc)
    reader = DocumentReader()
    for pair in doc.pairs.values():
        scope = reader.scoped(pair=pair.name, where=pair.label)
        hubspot = hubspot_schema(pair, hubspot_properties)
        genius = genius_schema(pair, genius_fields)
        _check_targets(scope, pair)
        for rule in pair.fields:
            if rule.direction == "off":
                continue
            field_scope = scope.scoped(field=rule.name, where=f"field {rule.name!r}")
            _check_rule(field_scope, pair, rule, hubspot, genius, pipelines)
        if genius is not None:
            _check_required(scope, pair, genius)
    return reader.issues


def _check_rule(
    scope: DocumentReader,
    pair: PairMapping,
    rule: FieldRule,
    hubspot: dict[str, Property] | None,
    genius: dict[str, Property] | None,
    pipelines: list[dict[str, Any]],
) -> None:
    if rule.genius in ENGINE_OWNED.get(pair.genius_resource, ()):
        scope.error(
            f"Genius field {rule.genius!r} is set by the connector itself; "
            "remove this field from the mapping."
        )
    target = hubspot.get(rule.hubspot) if hubspot is not None else None
    source = genius.get(rule.genius) if genius is not None else None
    if hubspot is not None:
        if target is None:
            scope.error(
                f"HubSpot has no {pair.hubspot_object} property {rule.hubspot!r}: "
                "pick an existing property or create it in HubSpot."
            )
        else:
            _check_hubspot(scope, rule, target)
    if genius is not None:
        if source is None:
            scope.error(
                f"Genius ERP has no {pair.genius_resource} field {rule.genius!r}: "
                "pick one of its fields."
            )
        else:
            _check_genius(scope, rule, source)
    if rule.keyed:
        check_stages(scope, rule, pipelines, source)
    elif rule.type in ("enum", "multi_enum"):
        check_enum(scope, rule, target, source)


def _check_hubspot(scope: DocumentReader, rule: FieldRule, prop: Property) -> None:
    fits = _HUBSPOT_FITS[rule.type]
    if prop.kind not in fits:
        scope.error(
            f"HubSpot property {prop.shown} holds {prop.kind} values, which do "
            f"not fit type {rule.type!r}: choose a {'/'.join(sorted(fits))} "
            "property or change the field's type."
        )
    elif rule.type == "date" and prop.kind != (rule.hubspot_type or "date"):
        scope.error(
            f"HubSpot property {prop.shown} is a {prop.kind} property: set "
            f"hubspot_type to {prop.kind!r}."
        )
    elif rule.type == "multi_enum" and prop.field_type != "checkbox":
        scope.error(f"HubSpot property {prop.shown} takes one value; use type 'enum'.")
    elif (
        rule.type == "bool"
        and prop.kind == "enumeration"
        and prop.field_type != "booleancheckbox"
    ):
        scope.error(f"HubSpot property {prop.shown} is not a yes/no property.")
    if rule.direction in ("to_crm", "both") and prop.read_only:
        scope.error(
            f"HubSpot property {prop.shown} is read-only, so nothing can be "
            "written to it: set the direction to 'to_erp' or 'off'."
        )


def _check_genius(scope: DocumentReader, rule: FieldRule, prop: Property) -> None:
    kind = "enum" if prop.options and prop.kind in ("integer", "string") else prop.kind
    fits = _GENIUS_FITS[rule.type]
    if kind not in fits and prop.kind not in fits:
        scope.error(
            f"Genius field {prop.shown} holds {prop.kind} values, which do not fit "
            f"type {rule.type!r}: change the field's type or pick another field."
        )
    elif rule.type == "date" and prop.kind != (rule.genius_type or "date"):
        scope.error(
            f"Genius field {prop.shown} is a {prop.kind} field: set genius_type to "
            f"{prop.kind!r}."
        )
    if rule.direction in ("to_erp", "both") and prop.read_only:
        scope.error(
            f"Genius field {prop.shown} is computed by the ERP and cannot be "
            "written: set the direction to 'to_crm' or 'off'."
        )
    options = rule.options
    if (
        prop.max_length
        and isinstance(options, StringOptions)
        and rule.direction in ("to_erp", "both")
        and (options.max_length is None or options.max_length > prop.max_length)
    ):
        scope.error(
            f"Genius field {prop.shown} holds at most {prop.max_length} characters: "
            f"set max_length to {prop.max_length} (and truncate or reject)."
        )


def _check_targets(scope: DocumentReader, pair: PairMapping) -> None:
    """One rule at most may write each field of each system."""
    genius_writers: dict[str, str] = {}
    hubspot_writers: dict[str, str] = {}
    for rule in pair.fields:
        targets = []
        if rule.direction in ("to_erp", "both"):
            targets.append((genius_writers, rule.genius, "Genius field"))
        if rule.direction in ("to_crm", "both"):
            targets.append((hubspot_writers, rule.hubspot, "HubSpot property"))
            if rule.keyed:
                key_property = rule.options.keyed_by  # type: ignore[union-attr]
                targets.append((hubspot_writers, key_property, "HubSpot property"))
        for writers, name, what in targets:
            earlier = writers.setdefault(name, rule.name)
            if earlier != rule.name:
                scope.error(
                    f"fields {earlier!r} and {rule.name!r} both write {what} "
                    f"{name!r}: set one of them to read only in that direction."
                )


def _check_required(
    scope: DocumentReader, pair: PairMapping, genius: dict[str, Property]
) -> None:
    written = {r.genius for r in pair.fields if r.direction in ("to_erp", "both")}
    owned = ENGINE_OWNED.get(pair.genius_resource, frozenset())
    for prop in genius.values():
        if prop.required and not prop.read_only and prop.name not in owned | written:
            scope.error(
                f"Genius field {prop.shown} is required, but no field of the "
                "mapping writes it: add one with direction 'to_erp' or 'both'."
            )
