"""Reading and checking the type options of a field rule."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mapping.canonical import decode
from mapping.reader import DocumentReader
from mapping.rules import (
    CASES,
    OVERFLOWS,
    PAIR_DIRECTIONS,
    ROUNDINGS,
    TEXT_FORMATS,
    UNMAPPED,
    BoolOptions,
    DateOptions,
    EnumOptions,
    EnumPair,
    EnumTable,
    FieldRule,
    NumberOptions,
    Options,
    StringOptions,
)

_SAMPLE_MOMENT = datetime(2024, 11, 3, 13, 45, 30)


def read_options(scope: DocumentReader, kind: str, raw: Any) -> Options:
    """The options of a rule of type `kind`; issues go to `scope`."""
    scope = scope.scoped(where="options")
    if not isinstance(raw, Mapping):
        scope.error(f"must be an object, not {raw!r}.")
        raw = {}
    if kind == "string":
        return _string_options(scope, raw)
    if kind == "number":
        return _number_options(scope, raw)
    if kind in ("enum", "multi_enum"):
        return _enum_options(scope, kind, raw)
    if kind in ("date", "datetime"):
        return _date_options(scope, raw)
    return _bool_options(scope, raw)


def _string_options(scope: DocumentReader, raw: Mapping[str, Any]) -> StringOptions:
    scope.reject_unknown(raw, ("trim", "max_length", "overflow", "case"))
    max_length = raw.get("max_length")
    if max_length is not None and (
        isinstance(max_length, bool)
        or not isinstance(max_length, int)
        or max_length < 1
    ):
        scope.error(f"max_length must be a whole number above 0, not {max_length!r}.")
        max_length = None
    return StringOptions(
        trim=scope.flag(raw, "trim", default=True) is not False,
        max_length=max_length,
        overflow=scope.choice(raw, "overflow", OVERFLOWS, default="truncate")
        or "truncate",
        case=scope.choice(raw, "case", CASES, default="keep") or "keep",
    )


def _number_options(scope: DocumentReader, raw: Mapping[str, Any]) -> NumberOptions:
    scope.reject_unknown(raw, ("scale", "rounding", "min", "max", "text_format"))
    scale = raw.get("scale")
    if scale is not None and (
        isinstance(scale, bool) or not isinstance(scale, int) or not 0 <= scale <= 12
    ):
        scope.error(f"scale must be a whole number from 0 to 12, not {scale!r}.")
        scale = None
    low = _bound(scope, raw, "min")
    high = _bound(scope, raw, "max")
    if low is not None and high is not None and Decimal(low) > Decimal(high):
        scope.error(f"min {low} is above max {high}.")
    return NumberOptions(
        scale=scale,
        rounding=scope.choice(raw, "rounding", ROUNDINGS, default="half_up")
        or "half_up",
        min=low,
        max=high,
        text_format=scope.choice(raw, "text_format", TEXT_FORMATS, default="plain")
        or "plain",
    )


def _bound(scope: DocumentReader, raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    try:
        if isinstance(value, str) and Decimal(value).is_finite():
            return value
    except InvalidOperation:
        pass
    scope.error(f'{key} must be a number written as text ("12.50"), not {value!r}.')
    return None


def _enum_options(
    scope: DocumentReader, kind: str, raw: Mapping[str, Any]
) -> EnumOptions:
    scope.reject_unknown(
        raw, ("pairs", "unmapped", "keyed_by", "tables", "default_key", "separator")
    )
    keyed_by = raw.get("keyed_by", "")
    if not isinstance(keyed_by, str):
        scope.error(f"keyed_by must be a HubSpot property name, not {keyed_by!r}.")
        keyed_by = ""
    separator = raw.get("separator", "")
    if not isinstance(separator, str) or (kind != "multi_enum" and separator):
        scope.error("separator is only for multi_enum fields, as a short text.")
        separator = ""
    unmapped = scope.choice(raw, "unmapped", UNMAPPED, default="reject") or "reject"
    if not keyed_by:
        if raw.get("tables"):
            scope.error("tables need keyed_by (the property that keys them).")
        pairs = _read_pairs(scope, raw.get("pairs"))
        if not pairs:
            scope.error("needs at least one pair of HubSpot and Genius values.")
        return EnumOptions(pairs=pairs, unmapped=unmapped, separator=separator)
    if kind == "multi_enum":
        scope.error("a multi_enum field cannot be keyed.")
    if raw.get("pairs"):
        scope.error("a keyed enum lists its pairs inside 'tables', not in 'pairs'.")
    tables = _read_tables(scope, raw.get("tables"))
    default_key = raw.get("default_key", "")
    if default_key and default_key not in {table.key for table in tables}:
        scope.error(f"default_key {default_key!r} is not the key of any table.")
    return EnumOptions(
        unmapped=unmapped,
        keyed_by=keyed_by,
        tables=tables,
        default_key=default_key if isinstance(default_key, str) else "",
    )


def _read_tables(scope: DocumentReader, raw: Any) -> tuple[EnumTable, ...]:
    if not isinstance(raw, list) or not raw:
        scope.error("a keyed enum needs a non-empty 'tables' list.")
        return ()
    tables: list[EnumTable] = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            scope.error(f"table #{index + 1} must be an object.")
            continue
        key = item.get("key")
        label = item.get("label") or ""
        if not isinstance(key, str) or not key or not isinstance(label, str):
            scope.error(f"table #{index + 1} needs a text 'key', not {key!r}.")
            continue
        if key in {table.key for table in tables}:
            scope.error(f"table key {key!r} appears twice.")
            continue
        inner = scope.scoped(where=f"table {label or key!r}")
        tables.append(EnumTable(key, label, _read_pairs(inner, item.get("pairs"))))
    return tuple(tables)


def _read_pairs(scope: DocumentReader, raw: Any) -> tuple[EnumPair, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        scope.error(f"pairs must be a list, not {raw!r}.")
        return ()
    pairs = [pair for item in raw if (pair := _read_pair(scope, item)) is not None]
    _check_unique(scope, pairs)
    return tuple(pairs)


def _read_pair(scope: DocumentReader, raw: Any) -> EnumPair | None:
    if not isinstance(raw, Mapping):
        scope.error(f"a pair must be an object, not {raw!r}.")
        return None
    hubspot, genius = raw.get("hubspot"), raw.get("genius")
    label = raw.get("label", "")
    direction = scope.choice(raw, "direction", PAIR_DIRECTIONS, default="both")
    if not isinstance(hubspot, str) or not hubspot:
        scope.error(f"pair {dict(raw)!r}: 'hubspot' must be a non-empty text.")
        return None
    if isinstance(genius, bool) or not isinstance(genius, str | int) or genius == "":
        scope.error(f"pair {dict(raw)!r}: 'genius' must be a text or whole number.")
        return None
    if direction is None or not isinstance(label, str):
        return None
    return EnumPair(hubspot, genius, direction, label)


def _check_unique(scope: DocumentReader, pairs: list[EnumPair]) -> None:
    """One reading per HubSpot value, one writing per Genius value."""
    reads: dict[str, str | int] = {}
    writes: dict[str, str] = {}
    for pair in pairs:
        if pair.direction in ("both", "to_erp"):
            earlier = reads.setdefault(pair.hubspot, pair.genius)
            if str(earlier) != str(pair.genius):
                scope.error(
                    f"HubSpot value {pair.hubspot!r} reads as both {earlier!r} and "
                    f"{pair.genius!r}: mark all but one of these pairs 'to_crm'."
                )
        if pair.direction in ("both", "to_crm"):
            earlier_hubspot = writes.setdefault(str(pair.genius), pair.hubspot)
            if earlier_hubspot != pair.hubspot:
                scope.error(
                    f"Genius value {pair.genius!r} is written as both "
                    f"{earlier_hubspot!r} and {pair.hubspot!r}: mark all but one of "
                    "these pairs 'to_erp'."
                )


def _date_options(scope: DocumentReader, raw: Mapping[str, Any]) -> DateOptions:
    scope.reject_unknown(raw, ("formats", "write_time"))
    formats = raw.get("formats", [])
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        scope.error(f"formats must be a list of texts, not {formats!r}.")
        formats = []
    for pattern in formats:
        if not _format_round_trips(pattern):
            scope.error(f"format {pattern!r} cannot be read back after writing.")
    write_time = raw.get("write_time", "12:00")
    try:
        datetime.strptime(write_time, "%H:%M")
    except (TypeError, ValueError):
        scope.error(f"write_time must be HH:MM, not {write_time!r}.")
        write_time = "12:00"
    return DateOptions(formats=tuple(formats), write_time=write_time)


def _format_round_trips(pattern: str) -> bool:
    try:
        text = _SAMPLE_MOMENT.strftime(pattern)
        return datetime.strptime(text, pattern).date() == _SAMPLE_MOMENT.date()
    except ValueError:
        return False


def _bool_options(scope: DocumentReader, raw: Mapping[str, Any]) -> BoolOptions:
    scope.reject_unknown(raw, ("true_tokens", "false_tokens"))
    defaults = BoolOptions()
    tokens = []
    for key in ("true_tokens", "false_tokens"):
        value = raw.get(key, list(getattr(defaults, key)))
        if (
            not isinstance(value, list | tuple)
            or not value
            or not all(isinstance(token, str) and token.strip() for token in value)
        ):
            scope.error(f"{key} must be a non-empty list of texts, not {value!r}.")
            value = getattr(defaults, key)
        tokens.append(tuple(value))
    overlap = {t.casefold() for t in tokens[0]} & {t.casefold() for t in tokens[1]}
    if overlap:
        scope.error(f"tokens {sorted(overlap)!r} are both true and false.")
    return BoolOptions(true_tokens=tokens[0], false_tokens=tokens[1])


def check_default(scope: DocumentReader, rule: FieldRule) -> None:
    """The default must be a valid canonical value of the rule's type."""
    options = rule.options
    if rule.default is None:
        if isinstance(options, EnumOptions) and options.unmapped == "default":
            scope.error("unmapped values use the default, but there is none.")
        return
    try:
        value = decode(rule.type, rule.default)
    except (ValueError, TypeError) as exc:
        scope.error(f"default {rule.default!r} is not a valid {rule.type}: {exc}.")
        return
    if isinstance(options, EnumOptions):
        known = {str(pair.genius) for pair in all_pairs(options)}
        values = value if isinstance(value, tuple) else (value,)
        for key in values:
            if str(key) not in known:
                scope.error(f"default {key!r} is not a Genius value of any pair.")


def all_pairs(options: EnumOptions) -> tuple[EnumPair, ...]:
    """Every pair of an enum, across its tables when it is keyed."""
    if not options.keyed_by:
        return options.pairs
    return tuple(pair for table in options.tables for pair in table.pairs)
