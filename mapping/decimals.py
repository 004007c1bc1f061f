"""Numbers as Decimal from end to end: money never passes through a float.

HubSpot sends numbers as text ("1500.5"); Genius sends JSON numbers that the
client decodes as Decimal. Text typed by people may follow a locale: in
fr-CA "1 234,56" (space, no-break space or narrow no-break space between
thousands, comma before decimals), in en-CA "1,234.56". Plain machine text is
always accepted first. With a scale, every value is rounded to it when read,
so "1500.5" from HubSpot and 1500.50 from Genius compare equal, and a float
residue such as 1.4210854715202004e-14 becomes 0.00.
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from mapping.canonical import decimal_text
from mapping.codec import Codec, write_same
from mapping.problems import ValueProblem
from mapping.rules import NumberOptions

_ROUNDING: Final = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "down": decimal.ROUND_DOWN,
    "up": decimal.ROUND_UP,
    "floor": decimal.ROUND_FLOOR,
    "ceiling": decimal.ROUND_CEILING,
}
# Wide enough for any amount a quote holds; an overflow is a field error.
_CONTEXT: Final = decimal.Context(prec=40, Emax=60, Emin=-60)
_SPACES: Final = " \u00a0\u202f"
_ONE: Final = Decimal(1)
_LOCALES: Final = {
    "fr-CA": re.compile(
        r"[+-]?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:,\d+)?", re.ASCII
    ),
    "en-CA": re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", re.ASCII),
}
_EXPECTED: Final = {
    "plain": "a number like 1234.50",
    "fr-CA": "a number like 1234.50 or 1 234,50",
    "en-CA": "a number like 1234.50 or 1,234.50",
}


def number_codec(options: NumberOptions) -> Codec:
    """Compile the number transform for `options`."""
    expected = _EXPECTED[options.text_format]
    finish = _finisher(options, expected)
    locale = _LOCALES.get(options.text_format)

    def read_text(raw: str) -> Decimal | None:
        text = raw.strip()
        if not text:
            return None
        if text.isascii() and "_" not in text:
            try:
                return finish(Decimal(text))
            except InvalidOperation:
                pass
        if locale is not None:
            return finish(_read_locale(locale, text, expected))
        raise ValueProblem(expected)

    def read_genius(raw: Any) -> Decimal | None:
        kind = raw.__class__
        if kind is Decimal:
            return finish(raw)
        if raw is None:
            return None
        if kind is int:
            return finish(Decimal(raw))
        if kind is float:
            # Should not happen (the client decodes with Decimal); go through
            # the shortest repr so no binary noise is invented.
            return finish(Decimal(repr(raw)))
        if kind is str:
            return read_text(raw)
        raise ValueProblem(expected, f"is a {kind.__name__}, not a number")

    def read_hubspot(raw: Any) -> Decimal | None:
        return read_text(raw) if raw.__class__ is str else read_genius(raw)

    return Codec(read_hubspot, write_hubspot_number, read_genius, write_same)


def write_hubspot_number(value: Decimal | None) -> str:
    return "" if value is None else decimal_text(value)


def _read_locale(pattern: re.Pattern[str], text: str, expected: str) -> Decimal:
    for symbol in ("$", "CAD", "USD"):
        text = text.removeprefix(symbol).removesuffix(symbol).strip(_SPACES)
    if not pattern.fullmatch(text):
        raise ValueProblem(expected)
    if "," in text and pattern is _LOCALES["fr-CA"]:
        text = text.replace(",", ".")
    for separator in (",", *_SPACES):
        text = text.replace(separator, "")
    return Decimal(text)


def quantizer(options: NumberOptions) -> tuple[Decimal, str, decimal.Context]:
    """Step, rounding mode and context that round to the options' scale."""
    assert options.scale is not None
    return Decimal(1).scaleb(-options.scale), _ROUNDING[options.rounding], _CONTEXT


def _finisher(options: NumberOptions, expected: str) -> Any:
    """Check a parsed Decimal: finite, rounded to the scale, within bounds."""
    low = None if options.min is None else Decimal(options.min)
    high = None if options.max is None else Decimal(options.max)
    rounding = _ROUNDING[options.rounding]
    step = None if options.scale is None else Decimal(1).scaleb(-options.scale)

    def finish(value: Decimal) -> Decimal:
        if not value.is_finite():
            raise ValueProblem(expected, "is not a finite number")
        try:
            if step is not None:
                value = value.quantize(step, rounding, _CONTEXT)
            elif value.as_tuple().exponent > 0:  # 1E+2 -> 100
                value = value.quantize(_ONE, rounding, _CONTEXT)
        except InvalidOperation:
            raise ValueProblem(expected, "is too large") from None
        if not value:
            value = abs(value)  # -0.00 is 0.00
        if low is not None and value < low:
            raise ValueProblem(_bounds(low, high), f"is below the minimum {low}")
        if high is not None and value > high:
            raise ValueProblem(_bounds(low, high), f"is above the maximum {high}")
        return value

    return finish


def _bounds(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return f"a number from {low} to {high}"
    return f"a number of at least {low}" if low is not None else f"at most {high}"
