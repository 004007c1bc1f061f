"""Genius JSON: decimals travel as JSON numbers and must never pass through float.

`loads` reads every number with a fraction as Decimal (whole numbers stay
int: statuses, line numbers); `dumps` writes Decimal values as the exact
number text they hold, so `1234.5000` leaves as `1234.5000`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal)


def dumps(value: Any) -> str:
    return "".join(_chunks(value))


def _chunks(value: Any) -> Iterator[str]:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} cannot be sent to Genius as a number")
        yield format(value, "f")
    elif isinstance(value, float):
        raise TypeError(f"float {value!r} would lose digits: pass a Decimal")
    elif isinstance(value, datetime | date):
        raise TypeError(f"{value!r}: format dates as Genius text before sending")
    elif isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ("," if index else "") + json.dumps(str(key)) + ":"
            yield from _chunks(item)
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for index, item in enumerate(value):
            yield "," if index else ""
            yield from _chunks(item)
        yield "]"
    else:
        yield json.dumps(value)
