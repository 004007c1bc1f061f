"""One field rule compiled into plain functions, ready for the per-record loops."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mapping.booleans import bool_codec
from mapping.canonical import DECODERS, ENCODERS, decode
from mapping.codec import Codec
from mapping.dates import date_codec, datetime_codec
from mapping.decimals import number_codec
from mapping.enums import EnumTableLookup, enum_codec
from mapping.options import all_pairs
from mapping.problems import (
    MISSING,
    FieldError,
    LeaveAlone,
    ValueProblem,
    field_error,
)
from mapping.rules import (
    BoolOptions,
    DateOptions,
    EnumOptions,
    FieldRule,
    NumberOptions,
    StringOptions,
)
from mapping.stages import KeyedEnumCodec
from mapping.text import text_codec

# Types whose canonical value is its own JSON form: no encode/decode needed.
_SELF_ENCODED = frozenset({"string", "enum", "bool"})


class CompiledField:
    """A rule's readers, writers and merge settings, as attributes."""

    __slots__ = (
        "decode", "default", "encode", "genius", "hubspot", "hubspot_keys",
        "keyed", "kind", "name", "policy", "project_hubspot", "read_genius",
        "read_hubspot", "required", "required_genius", "required_hubspot",
        "rule", "to_crm", "to_erp", "write_genius", "write_hubspot",
    )  # fmt: skip

    def __init__(
        self, rule: FieldRule, codec: Codec | KeyedEnumCodec, default: Any
    ) -> None:
        self.name = rule.name
        self.rule = rule
        self.hubspot = rule.hubspot
        self.genius = rule.genius
        self.kind = rule.type
        self.to_erp = rule.direction in ("to_erp", "both")
        self.to_crm = rule.direction in ("to_crm", "both")
        self.required = rule.required
        # A required field must have a value on the side it is copied from.
        self.required_hubspot = rule.required and self.to_erp
        self.required_genius = rule.required and self.to_crm
        self.default = default
        self.policy = rule.policy
        self.read_genius = codec.read_genius
        self.write_genius = _write_genius_of(codec)
        self.keyed: KeyedEnumCodec | None = None
        self.hubspot_keys: tuple[str, ...] = (rule.hubspot,)
        if isinstance(codec, KeyedEnumCodec):
            self.keyed = codec
            self.hubspot_keys = (codec.key_property, rule.hubspot)
            self.read_hubspot: Callable[[Any], Any] = _unused
            self.write_hubspot: Callable[[Any], Any] = _unused
            self.project_hubspot: Callable[..., Any] | None = codec.project_hubspot
        else:
            self.read_hubspot = codec.read_hubspot
            self.write_hubspot = codec.write_hubspot
            projection = codec.project_hubspot
            self.project_hubspot = (
                None if projection is None else lambda value, _key: projection(value)
            )
        self.encode = None if rule.type in _SELF_ENCODED else ENCODERS[rule.type]
        self.decode = None if rule.type in _SELF_ENCODED else DECODERS[rule.type]

    def write_hubspot_into(
        self, body: dict[str, str], value: Any, context: Mapping[str, str]
    ) -> None:
        """Add the HubSpot properties for `value` to `body` (raises ValueProblem)."""
        if self.keyed is not None:
            key = context.get(self.keyed.key_property, "")
            body.update(self.keyed.write_hubspot(value, key))
        else:
            body[self.hubspot] = self.write_hubspot(value)

    def shown_in_hubspot(self, value: Any, context: Mapping[str, str]) -> Any:
        """`value` as HubSpot will read it back once written there."""
        if self.project_hubspot is None or value is None:
            return value
        key = context.get(self.keyed.key_property, "") if self.keyed else ""
        return self.project_hubspot(value, key)

    def to_json(self, value: Any) -> Any:
        return value if value is None or self.encode is None else self.encode(value)


def compile_field(rule: FieldRule, *, tz: str) -> CompiledField:
    """Pick and compile the transform of `rule`'s type."""
    default = None if rule.default is None else decode(rule.type, rule.default)
    options = rule.options
    codec: Codec | KeyedEnumCodec
    if isinstance(options, EnumOptions):
        default = _as_table_key(options, default)
        if options.keyed_by:
            codec = KeyedEnumCodec(
                options, hubspot_property=rule.hubspot, default=default
            )
        else:
            multi = rule.type == "multi_enum"
            codec = enum_codec(options, multi=multi, default=default)
    elif isinstance(options, StringOptions):
        codec = text_codec(options)
    elif isinstance(options, NumberOptions):
        codec = number_codec(options)
        default = None if default is None else codec.read_genius(default)
    elif isinstance(options, DateOptions) and rule.type == "date":
        hubspot, genius = rule.hubspot_type or "date", rule.genius_type or "date"
        codec = date_codec(options, hubspot=hubspot, genius=genius, tz=tz)
    elif isinstance(options, DateOptions):
        codec = datetime_codec(options, tz=tz)
    else:
        assert isinstance(options, BoolOptions)
        codec = bool_codec(options)
    return CompiledField(rule, codec, default)


def _as_table_key(options: EnumOptions, default: Any) -> Any:
    """Defaults compare as the table's own keys (30, not "30")."""
    if default is None:
        return None
    lookup = EnumTableLookup(all_pairs(options))
    if isinstance(default, tuple):
        return tuple(lookup.by_genius.get(str(key), key) for key in default)
    return lookup.by_genius.get(str(default), default)


def _write_genius_of(codec: Codec | KeyedEnumCodec) -> Callable[[Any], Any]:
    if isinstance(codec, KeyedEnumCodec):
        return lambda key: key
    return codec.write_genius


def _unused(_value: Any) -> Any:
    raise AssertionError("keyed fields are read and written through their codec")


def read_value(
    f: CompiledField, system: str, raw: Any, errors: list[FieldError]
) -> Any:
    """One raw value through the field's own reader for `system`; MISSING (with
    the error appended, for a value it cannot read) when there is none."""
    hubspot = system == "hubspot"
    try:
        return (f.read_hubspot if hubspot else f.read_genius)(raw)
    except ValueProblem as problem:
        errors.append(
            field_error(
                field=f.name,
                system=system,
                attribute=f.hubspot if hubspot else f.genius,
                raw=raw,
                problem=problem,
                required=f.required_hubspot if hubspot else f.required_genius,
            )
        )
    except LeaveAlone:
        pass
    return MISSING
