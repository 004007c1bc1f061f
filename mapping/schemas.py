"""What the two systems say about their fields, in one shape for the checks.

HubSpot property definitions come from the properties API (`name`, `label`,
`type`, `fieldType`, `options`, `calculated`, `modificationMetadata`).
Genius field metadata comes from the ERP's metadata endpoint; we read
`name`, `type`, `required`, `readOnly`, `maxLength`, `scale` and `options`
(snake_case spellings are accepted too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from mapping.document import PairMapping

# Fields the engine writes itself; a mapping must not touch them.
ENGINE_OWNED: Final = {
    "customers": frozenset({"Code"}),
    "quotes": frozenset({"CustomerCode", "ExternalReference", "Lines"}),
    "quote_lines": frozenset({"LineNumber"}),
}
# Computed by the ERP, read-only whatever the metadata says.
GENIUS_COMPUTED: Final = frozenset(
    {"Number", "Subtotal", "Total", "LineTotal", "ModifiedAt"}
)

_GENIUS_KINDS: Final = {
    "string": "string",
    "text": "string",
    "decimal": "number",
    "number": "number",
    "money": "number",
    "integer": "integer",
    "int": "integer",
    "date": "date",
    "datetime": "datetime",
    "timestamp": "datetime",
    "boolean": "bool",
    "bool": "bool",
    "enum": "enum",
    "array": "array",
    "list": "array",
}


@dataclass(frozen=True, slots=True)
class Property:
    """One field of either system, reduced to what the checks need."""

    name: str
    label: str
    kind: str  # HubSpot type, or a normalised Genius kind
    field_type: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    read_only: bool = False
    required: bool = False
    max_length: int | None = None
    scale: int | None = None

    @property
    def shown(self) -> str:
        return (
            f"{self.label!r} ({self.name})"
            if self.label != self.name
            else repr(self.name)
        )

    def option_values(self) -> set[str]:
        return {value for value, _ in self.options}


def hubspot_schema(
    pair: PairMapping, definitions: Mapping[str, list[dict[str, Any]]]
) -> dict[str, Property] | None:
    """HubSpot properties of the pair's object, or None when not given."""
    raw = definitions.get(pair.hubspot_object, definitions.get(pair.name))
    if raw is None:
        return None
    schema = {}
    for item in raw:
        if not isinstance(item, Mapping) or not item.get("name"):
            continue
        meta = item.get("modificationMetadata") or {}
        schema[item["name"]] = Property(
            name=item["name"],
            label=item.get("label") or item["name"],
            kind=str(item.get("type", "string")),
            field_type=str(item.get("fieldType", "")),
            options=_options(item.get("options")),
            read_only=bool(meta.get("readOnlyValue") or item.get("calculated")),
        )
    return schema


def genius_schema(
    pair: PairMapping, metadata: Mapping[str, list[dict[str, Any]]]
) -> dict[str, Property] | None:
    """Genius fields of the pair's resource, or None when not given."""
    raw = metadata.get(pair.genius_resource, metadata.get(pair.name))
    if raw is None:
        return None
    schema = {}
    for item in raw:
        if not isinstance(item, Mapping) or not item.get("name"):
            continue
        name = item["name"]
        kind = _GENIUS_KINDS.get(str(item.get("type", "string")).lower(), "string")
        schema[name] = Property(
            name=name,
            label=item.get("label") or name,
            kind=kind,
            options=_options(item.get("options")),
            read_only=bool(_get(item, "readOnly", "read_only"))
            or name in GENIUS_COMPUTED,
            required=bool(item.get("required")),
            max_length=_get(item, "maxLength", "max_length"),
            scale=item.get("scale"),
        )
    return schema


def _get(item: Mapping[str, Any], camel: str, snake: str) -> Any:
    return item.get(camel, item.get(snake))


def _options(raw: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list):
        return ()
    options = []
    for option in raw:
        if isinstance(option, Mapping) and "value" in option:
            if option.get("hidden") or option.get("archived"):
                continue
            value = str(option["value"])
            options.append((value, str(option.get("label") or value)))
        elif isinstance(option, str | int):
            options.append((str(option), str(option)))
    return tuple(options)
