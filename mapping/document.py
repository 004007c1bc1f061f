"""The mapping document a tenant owns: versioned JSON, loaded with clear messages.

    {"version": 1,
     "pairs": {"deal": {"fields": [{"name": "title", "hubspot": "dealname",
                                    "genius": "Title", "type": "string", ...}]},
               "company": {...}, "line_item": {...}}}

`load_mapping` checks the document's own consistency (known types, options,
enum tables); `mapping.validation` checks it against the live schemas of
both systems. docs/mapping.md describes every key for admins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from mapping.options import check_default, read_options
from mapping.problems import Issue, MappingInvalid
from mapping.reader import DocumentReader
from mapping.rules import DIRECTIONS, POLICIES, FieldRule

CURRENT_VERSION: Final = 1

# pair name -> (HubSpot object type, Genius resource)
PAIR_OBJECTS: Final = {
    "company": ("companies", "customers"),
    "deal": ("deals", "quotes"),
    "line_item": ("line_items", "quote_lines"),
}
PAIR_LABELS: Final = {
    "company": "Company ↔ customer",
    "deal": "Deal ↔ quote",
    "line_item": "Line item ↔ quote line",
}
TYPES: Final = ("string", "number", "enum", "multi_enum", "date", "datetime", "bool")
_SHAPES: Final = {"date": ("", "date", "datetime"), "datetime": ("", "datetime")}


@dataclass(frozen=True, slots=True)
class PairMapping:
    name: str
    hubspot_object: str
    genius_resource: str
    fields: tuple[FieldRule, ...] = ()

    @property
    def label(self) -> str:
        return PAIR_LABELS.get(self.name, self.name)

    def rule(self, name: str) -> FieldRule | None:
        return next((rule for rule in self.fields if rule.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "hubspot_object": self.hubspot_object,
            "genius_resource": self.genius_resource,
            "fields": [rule.to_dict() for rule in self.fields],
        }


@dataclass(frozen=True, slots=True)
class MappingDocument:
    version: int
    pairs: Mapping[str, PairMapping]

    def pair(self, name: str) -> PairMapping:
        try:
            return self.pairs[name]
        except KeyError:
            known = ", ".join(self.pairs) or "none"
            raise LookupError(
                f"the mapping has no pair {name!r} (has: {known})"
            ) from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "pairs": {name: pair.to_dict() for name, pair in self.pairs.items()},
        }


def load_mapping(document: Any) -> MappingDocument:
    """Check and load a mapping document; raise MappingInvalid with every issue."""
    reader = DocumentReader()
    loaded = _read_document(reader, document)
    errors = [issue for issue in reader.issues if issue.severity == "error"]
    if errors or loaded is None:
        raise MappingInvalid(errors or reader.issues)
    return loaded


def _read_document(reader: DocumentReader, document: Any) -> MappingDocument | None:
    if not isinstance(document, Mapping):
        reader.error(f"The mapping must be a JSON object, not {type(document)!r}.")
        return None
    version = document.get("version")
    if version != CURRENT_VERSION:
        reader.error(
            f"Mapping version {version!r} is not supported; this connector reads "
            f"version {CURRENT_VERSION}. Start again from a preset."
        )
        return None
    raw_pairs = document.get("pairs")
    if not isinstance(raw_pairs, Mapping) or not raw_pairs:
        reader.error("The mapping has no 'pairs': start from a preset.")
        return None
    pairs: dict[str, PairMapping] = {}
    for name, raw_pair in raw_pairs.items():
        pair = _read_pair(reader, name, raw_pair)
        if pair is not None:
            pairs[name] = pair
    return MappingDocument(CURRENT_VERSION, pairs)


def _read_pair(reader: DocumentReader, name: Any, raw: Any) -> PairMapping | None:
    if name not in PAIR_OBJECTS:
        known = ", ".join(PAIR_OBJECTS)
        reader.error(f"Unknown pair {name!r}: the pairs are {known}.")
        return None
    hubspot_object, genius_resource = PAIR_OBJECTS[name]
    scope = reader.scoped(pair=name, where=PAIR_LABELS[name])
    if not isinstance(raw, Mapping) or not isinstance(raw.get("fields"), list):
        scope.error("must be an object with a 'fields' list.")
        return None
    for key, expected in (
        ("hubspot_object", hubspot_object),
        ("genius_resource", genius_resource),
    ):
        if raw.get(key, expected) != expected:
            scope.error(f"{key} must be {expected!r}, not {raw.get(key)!r}.")
    rules: list[FieldRule] = []
    seen: set[str] = set()
    for index, raw_rule in enumerate(raw["fields"]):
        rule = _read_rule(scope, index, raw_rule)
        if rule is None:
            continue
        if rule.name in seen:
            scope.error(
                f"field name {rule.name!r} is used twice; names must be unique."
            )
            continue
        seen.add(rule.name)
        rules.append(rule)
    return PairMapping(name, hubspot_object, genius_resource, tuple(rules))


def _read_rule(pair_scope: DocumentReader, index: int, raw: Any) -> FieldRule | None:
    if not isinstance(raw, Mapping):
        pair_scope.error(f"field #{index + 1} must be an object.")
        return None
    name = raw.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        pair_scope.error(
            f"field #{index + 1} needs a 'name' of letters, digits and _, not {name!r}."
        )
        return None
    scope = pair_scope.scoped(field=name, where=f"field {name!r}")
    kind = scope.choice(raw, "type", TYPES, default=None)
    hubspot = scope.text(raw, "hubspot")
    genius = scope.text(raw, "genius")
    direction = scope.choice(raw, "direction", DIRECTIONS, default="both")
    policy = scope.choice(raw, "policy", POLICIES, default="newest")
    required = scope.flag(raw, "required", default=False)
    scope.reject_unknown(raw, _RULE_KEYS)
    if kind is None or not hubspot or not genius:
        return None
    shapes = _SHAPES.get(kind, ("",))
    hubspot_type = scope.choice(raw, "hubspot_type", shapes, default="")
    genius_type = scope.choice(raw, "genius_type", shapes, default="")
    options = read_options(scope, kind, raw.get("options", {}))
    rule = FieldRule(
        name=name,
        hubspot=hubspot,
        genius=genius,
        type=kind,
        direction=direction or "both",
        required=bool(required),
        policy=policy or "newest",
        default=raw.get("default"),
        hubspot_type=hubspot_type or "",
        genius_type=genius_type or "",
        options=options,
    )
    check_default(scope, rule)
    return rule


_RULE_KEYS: Final = frozenset(
    {
        "name",
        "hubspot",
        "genius",
        "type",
        "direction",
        "required",
        "policy",
        "default",
        "hubspot_type",
        "genius_type",
        "options",
    }
)


def issues_of(document: Any) -> list[Issue]:
    """Every issue `load_mapping` would find, without raising."""
    reader = DocumentReader()
    _read_document(reader, document)
    return reader.issues
