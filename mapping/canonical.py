"""Canonical values and their JSON form, as stored in snapshots and defaults.

Canonical values are what the engine compares: `str`, `Decimal`, `date`, an
aware UTC `datetime` (whole seconds), an enum key (the Genius value, `str` or
`int`), a sorted tuple of enum keys, `bool`, or `None` for "cleared". Their
JSON form is chosen so that equal values always encode to equal JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

Canonical = str | int | Decimal | date | datetime | bool | tuple[Any, ...] | None


def decimal_text(value: Decimal) -> str:
    """Fixed-point text of a Decimal: never an exponent, never "-0"."""
    if not value:
        value = abs(value)
    return format(value, "f")


def encode_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def decode_datetime(text: Any) -> datetime:
    moment = datetime.fromisoformat(_text(text))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no offset")
    return moment.astimezone(UTC).replace(microsecond=0)


def decode_decimal(text: Any) -> Decimal:
    try:
        value = Decimal(_text(text))
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not a decimal number") from exc
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return value


def decode_key(value: Any) -> str | int:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{value!r} is not an enum key (text or whole number)")
    return value


def decode_keys(value: Any) -> tuple[str | int, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{value!r} is not a list of enum keys")
    return tuple(sorted({decode_key(item) for item in value}, key=str))


def decode_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not true or false")
    return value


def decode_str(value: Any) -> str:
    return _text(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value


ENCODERS: Final[dict[str, Callable[[Any], Any]]] = {
    "string": lambda value: value,
    "number": decimal_text,
    "enum": lambda value: value,
    "multi_enum": list,
    "date": date.isoformat,
    "datetime": encode_datetime,
    "bool": lambda value: value,
}

DECODERS: Final[dict[str, Callable[[Any], Any]]] = {
    "string": decode_str,
    "number": decode_decimal,
    "enum": decode_key,
    "multi_enum": decode_keys,
    "date": lambda value: date.fromisoformat(_text(value)),
    "datetime": decode_datetime,
    "bool": decode_bool,
}


def decode(kind: str, value: Any) -> Any:
    """JSON form -> canonical value of type `kind`; ValueError when it is not."""
    return None if value is None else DECODERS[kind](value)
