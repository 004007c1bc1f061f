"""Checking values against the field tables, the way Genius checks them.

`check_fields` turns a request's fields into their stored form (upper-cased
codes, decimals rounded to their scale) and lists every problem at once,
one `{"field", "code", "message"}` per field, as Genius's 422 answer does.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.genius.metadata import FieldSpec


class Rejection(Exception):
    """Genius refuses a write: `status` 409 or 422, `errors` one per problem."""

    def __init__(self, status: int, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(error["message"] for error in errors))
        self.status = status
        self.errors = errors


def problem(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


def check_fields(
    specs: tuple[FieldSpec, ...],
    fields: dict[str, Any],
    *,
    creating: bool,
    prefix: str = "",
    lenient: bool = False,
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Values of `fields` in their stored form, and the problems found.

    Read-only fields are dropped without complaint (callers send back what
    they read); unknown fields are refused so a mapping typo shows at once.
    """
    by_name = {spec.name: spec for spec in specs}
    cleaned: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for name, value in fields.items():
        spec = by_name.get(name)
        if spec is None:
            errors.append(problem(prefix + name, "unknown_field", f"no field {name}"))
        elif not spec.read_only or spec.key:
            try:
                cleaned[name] = coerce(spec, value, lenient=lenient)
            except ValueError as exc:
                code, message = exc.args
                errors.append(problem(prefix + name, code, message))
    if creating:
        for spec in specs:
            if spec.required and cleaned.get(spec.name) in (None, ""):
                errors.append(
                    problem(prefix + spec.name, "required", f"{spec.name} is required")
                )
    return cleaned, errors


def coerce(spec: FieldSpec, value: Any, *, lenient: bool = False) -> Any:
    """One value in its stored form; ValueError(code, message) when invalid."""
    if spec.type == "string":
        return _coerce_text(spec, value)
    if spec.type == "decimal":
        return _coerce_decimal(spec, value, lenient)
    if spec.type == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("invalid_type", f"{spec.name} must be a whole number")
        _check_range(spec, value)
        if spec.choices and value not in spec.choices:
            raise ValueError(
                "invalid_choice",
                f"{spec.name} {value} is not one of "
                f"{', '.join(map(str, spec.choices))}",
            )
        return value
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise ValueError("invalid_type", f"{spec.name} must be true or false")
        return value
    if spec.type == "date":
        return _coerce_date(spec, value)
    if spec.type == "lines":
        if not isinstance(value, list):
            raise ValueError("invalid_type", "Lines must be a list of lines")
        return value
    raise ValueError("read_only", f"{spec.name} is set by Genius")


def _coerce_text(spec: FieldSpec, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError("invalid_type", f"{spec.name} must be text")
    if spec.upper:
        value = value.upper()
    if spec.max_length is not None and len(value) > spec.max_length:
        raise ValueError(
            "too_long",
            f"{spec.name} has {len(value)} characters; at most {spec.max_length}",
        )
    if value and spec.pattern and not re.fullmatch(spec.pattern, value):
        raise ValueError("invalid_format", f"{spec.name} {value!r} has a wrong form")
    if value and spec.choices and value not in spec.choices:
        raise ValueError(
            "invalid_choice",
            f"{spec.name} {value!r} is not one of {', '.join(spec.choices)}",
        )
    return value


def _coerce_decimal(spec: FieldSpec, value: Any, lenient: bool) -> Decimal:
    if lenient and isinstance(value, str | float):
        value = Decimal(str(value))
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError("invalid_type", f"{spec.name} must be a number")
    # Like the ERP's SQL columns: extra decimals are rounded, not refused.
    number = Decimal(value).quantize(
        Decimal(1).scaleb(-(spec.scale or 0)), rounding=ROUND_HALF_UP
    )
    _check_range(spec, number)
    return number


def _check_range(spec: FieldSpec, number: int | Decimal) -> None:
    if spec.minimum is not None and number < spec.minimum:
        raise ValueError(
            "out_of_range", f"{spec.name} {number} is below {spec.minimum}"
        )
    if spec.maximum is not None and number > spec.maximum:
        raise ValueError(
            "out_of_range", f"{spec.name} {number} is above {spec.maximum}"
        )


def _coerce_date(spec: FieldSpec, value: Any) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise ValueError(
            "invalid_format", f"{spec.name} {value!r} is not a date YYYY-MM-DD"
        ) from None


def raise_if(errors: list[dict[str, str]], status: int = 422) -> None:
    if errors:
        raise Rejection(status, errors)


def ordered(specs: tuple[FieldSpec, ...], record: dict[str, Any]) -> dict[str, Any]:
    """The record's fields in the order Genius lists them."""
    return {spec.name: record[spec.name] for spec in specs if spec.name in record}


def blank_record(specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
    return {spec.name: "" for spec in specs if spec.type == "string"}
