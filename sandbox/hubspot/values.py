"""Property values as HubSpot accepts and returns them.

Every value travels as text. Numbers come back without trailing zeros,
dates as `YYYY-MM-DD` (written as that or as epoch milliseconds at UTC
midnight), datetimes as ISO 8601 with milliseconds and `Z`, enumerations as
the option's internal value (several joined with `;`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class ValueProblem(ValueError):
    """A value HubSpot would refuse; `code` is the error code it would give."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def iso_from_ms(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def ms_from_text(text: str) -> int:
    """Epoch milliseconds from an epoch-ms string or an ISO 8601 text."""
    text = text.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    if len(text) == 10:
        day = date.fromisoformat(text)
        return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * (
            1000
        )
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def format_number(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def as_text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float):
        return repr(raw)
    return str(raw)


def normalize_value(definition: dict[str, Any], raw: Any) -> str:
    """The stored text for `raw` written to the property `definition`.

    An empty string clears the value and is returned as is.
    """
    name = definition["name"]
    text = as_text(raw)
    if text == "":
        return ""
    kind = definition["type"]
    if kind == "number":
        return _number(name, text)
    if kind == "date":
        return _date(name, text)
    if kind == "datetime":
        return _datetime(name, text)
    if kind == "bool":
        return _bool(name, text)
    if kind == "enumeration" and definition.get("options"):
        return _enumeration(definition, text)
    return text


def _number(name: str, text: str) -> str:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueProblem(
            "INVALID_DECIMAL", f"{text!r} was not a valid number for {name}"
        ) from None
    if not number.is_finite():
        raise ValueProblem("INVALID_DECIMAL", f"{text!r} is not a finite number")
    return format_number(number)


def _date(name: str, text: str) -> str:
    try:
        ms = ms_from_text(text)
    except ValueError:
        raise ValueProblem(
            "INVALID_DATE", f"{text!r} is not a valid date for {name}"
        ) from None
    # HubSpot refuses a date given as a moment that is not UTC midnight.
    if ms % 86_400_000:
        raise ValueProblem(
            "INVALID_DATE",
            f"{text!r} is not midnight UTC; {name} is a date property",
        )
    return datetime.fromtimestamp(ms / 1000, UTC).date().isoformat()


def _datetime(name: str, text: str) -> str:
    try:
        return iso_from_ms(ms_from_text(text))
    except ValueError:
        raise ValueProblem(
            "INVALID_DATETIME", f"{text!r} is not a valid datetime for {name}"
        ) from None


def _bool(name: str, text: str) -> str:
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise ValueProblem("INVALID_BOOLEAN", f"{text!r} is not a boolean for {name}")
    return lowered


def _enumeration(definition: dict[str, Any], text: str) -> str:
    allowed = {opt["value"] for opt in definition["options"]}
    multiple = definition.get("fieldType") == "checkbox"
    values = [part for part in text.split(";") if part] if multiple else [text]
    for value in values:
        if value not in allowed:
            raise ValueProblem(
                "INVALID_OPTION",
                f"{value!r} was not one of the allowed options: "
                f"{', '.join(sorted(allowed))}",
            )
    return ";".join(values)


def sort_key(definition: dict[str, Any] | None, value: str | None) -> tuple:
    """Orders values the way HubSpot's search sorts them (empty last)."""
    if value is None or value == "":
        return (1, 0, "")
    kind = definition["type"] if definition else "string"
    try:
        if kind == "number":
            return (0, Decimal(value), "")
        if kind in ("datetime", "date"):
            return (0, ms_from_text(value), "")
    except (InvalidOperation, ValueError):
        pass
    return (0, 0, value.lower())
