"""The parts of a mapping document: field rules and their type options.

A rule pairs one HubSpot property with one Genius field. Its `type` is the
canonical type both sides are compared in; `hubspot_type` / `genius_type`
say when a side stores a date rule as a timestamp (HubSpot's `closedate`).
Options are plain frozen dataclasses so that a document compares by value.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Final

DIRECTIONS: Final = ("to_erp", "to_crm", "both", "off")
POLICIES: Final = ("newest", "hubspot", "genius", "hold")
UNMAPPED: Final = ("reject", "default", "leave")
ROUNDINGS: Final = ("half_up", "half_even", "down", "up", "floor", "ceiling")
TEXT_FORMATS: Final = ("plain", "fr-CA", "en-CA")
CASES: Final = ("keep", "upper", "lower")
OVERFLOWS: Final = ("truncate", "reject")
PAIR_DIRECTIONS: Final = ("both", "to_erp", "to_crm")

DEFAULT_TRUE: Final = ("true", "1", "yes", "y", "oui", "o", "vrai")
DEFAULT_FALSE: Final = ("false", "0", "no", "n", "non", "faux")


@dataclass(frozen=True, slots=True)
class StringOptions:
    trim: bool = True
    max_length: int | None = None
    overflow: str = "truncate"
    case: str = "keep"


@dataclass(frozen=True, slots=True)
class NumberOptions:
    scale: int | None = None
    rounding: str = "half_up"
    min: str | None = None  # decimal text, so the document stays exact JSON
    max: str | None = None
    text_format: str = "plain"


@dataclass(frozen=True, slots=True)
class EnumPair:
    """HubSpot option value <-> Genius value; `direction` limits its use.

    Several HubSpot values may read as one Genius value ("to_erp" pairs);
    writing a Genius value to HubSpot uses its one "both" or "to_crm" pair.
    """

    hubspot: str
    genius: str | int
    direction: str = "both"
    label: str = ""  # the HubSpot option's label, matched case-insensitively


@dataclass(frozen=True, slots=True)
class EnumTable:
    """The pairs valid under one key (one deal pipeline)."""

    key: str
    label: str = ""
    pairs: tuple[EnumPair, ...] = ()


@dataclass(frozen=True, slots=True)
class EnumOptions:
    pairs: tuple[EnumPair, ...] = ()
    unmapped: str = "reject"
    # Keyed enums: a HubSpot value means something only with its key (a deal
    # stage within its pipeline). `keyed_by` names the HubSpot property.
    keyed_by: str = ""
    tables: tuple[EnumTable, ...] = ()
    default_key: str = ""
    separator: str = ""  # multi_enum stored as joined text in Genius


@dataclass(frozen=True, slots=True)
class DateOptions:
    formats: tuple[str, ...] = ()  # Genius text formats; the first is written
    write_time: str = "12:00"  # local time of day when a date becomes a timestamp


@dataclass(frozen=True, slots=True)
class BoolOptions:
    true_tokens: tuple[str, ...] = DEFAULT_TRUE
    false_tokens: tuple[str, ...] = DEFAULT_FALSE


Options = StringOptions | NumberOptions | EnumOptions | DateOptions | BoolOptions


@dataclass(frozen=True, slots=True)
class FieldRule:
    name: str
    hubspot: str
    genius: str
    type: str
    direction: str = "both"
    required: bool = False
    policy: str = "newest"
    default: Any = None  # JSON form of a canonical value
    hubspot_type: str = ""  # "" = same as `type`; "datetime" for a date rule
    genius_type: str = ""
    options: Options = field(default_factory=StringOptions)

    @property
    def keyed(self) -> bool:
        return isinstance(self.options, EnumOptions) and bool(self.options.keyed_by)

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "name": self.name,
            "hubspot": self.hubspot,
            "genius": self.genius,
            "type": self.type,
            "direction": self.direction,
            "required": self.required,
            "policy": self.policy,
            "default": self.default,
        }
        if self.hubspot_type:
            document["hubspot_type"] = self.hubspot_type
        if self.genius_type:
            document["genius_type"] = self.genius_type
        options = options_to_dict(self.options)
        if options:
            document["options"] = options
        return document


def options_to_dict(options: Options) -> dict[str, Any]:
    """The options that differ from their defaults, as JSON."""
    blank = type(options)()
    document: dict[str, Any] = {}
    for spec in fields(options):
        value = getattr(options, spec.name)
        if value == getattr(blank, spec.name):
            continue
        document[spec.name] = _jsonable(value)
    return document


def _jsonable(value: Any) -> Any:
    if isinstance(value, EnumPair):
        pair: dict[str, Any] = {"hubspot": value.hubspot, "genius": value.genius}
        if value.direction != "both":
            pair["direction"] = value.direction
        if value.label:
            pair["label"] = value.label
        return pair
    if isinstance(value, EnumTable):
        return {
            "key": value.key,
            "label": value.label,
            "pairs": [_jsonable(pair) for pair in value.pairs],
        }
    if isinstance(value, tuple):
        return [_jsonable(item) for item in value]
    return value
