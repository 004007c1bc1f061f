"""The shape every type transform compiles to: four plain functions and a projection.

Readers take a raw value (HubSpot: `str | None`; Genius: decoded JSON) and
return a canonical value, `None` for cleared, or raise `ValueProblem` (cannot
read) or `LeaveAlone` (an unmapped enum value the rule ignores). Writers take
a canonical value and return what the system accepts; cleared becomes `""`
for HubSpot (it ignores null) and `None` for Genius.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from mapping.canonical import decimal_text
from mapping.problems import ValueProblem

Reader = Callable[[Any], Any]
Writer = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Codec:
    read_hubspot: Reader
    write_hubspot: Writer
    read_genius: Reader
    write_genius: Writer
    # Canonical value -> the canonical value HubSpot shows after it is written
    # there. Only lossy enums need one (a status with no stage of its own).
    project_hubspot: Callable[[Any], Any] | None = None


def is_blank(raw: Any) -> bool:
    """None, "" and whitespace-only text mean "cleared" for every type."""
    return raw is None or (raw.__class__ is str and not raw.strip())


def as_text(raw: Any) -> str:
    """A scalar JSON value as text, for a text field fed by another type."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, Decimal):
        return decimal_text(raw)
    if isinstance(raw, int | date | datetime):
        return raw.isoformat() if isinstance(raw, date | datetime) else str(raw)
    if isinstance(raw, float):
        return repr(raw)
    raise ValueProblem("a text", f"is a {type(raw).__name__}, not a text")


def write_hubspot_text(value: str | None) -> str:
    return "" if value is None else value


def write_same(value: Any) -> Any:
    return value
