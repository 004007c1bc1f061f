"""JSON as Genius writes it: every decimal a JSON number at its full scale.

The standard encoder knows nothing of Decimal and would have to go through
float, which loses digits. This encoder writes Decimal values as number text
exactly as they are held (`1234.5000` stays `1234.5000`), and the decoder
reads every number with a fraction as Decimal.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def dumps(value: Any) -> str:
    """Compact JSON text of `value`; Decimal values become exact numbers."""
    return "".join(_encode(value))


def loads(text: str | bytes) -> Any:
    """Parse JSON text; numbers with a fraction or exponent come back as Decimal."""
    return json.loads(text, parse_float=Decimal)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} has no JSON form")
        yield format(value, "f")
    elif isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield (
                ("," if index else "") + json.dumps(str(key), ensure_ascii=False) + ":"
            )
            yield from _encode(item)
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _encode(item)
        yield "]"
    else:
        yield json.dumps(value, ensure_ascii=False)
