"""Yes/no fields: accepted tokens on the way in, `"true"`/`"false"` out."""

from __future__ import annotations

from typing import Any

from mapping.codec import Codec, is_blank, write_same
from mapping.problems import ValueProblem
from mapping.rules import BoolOptions


def bool_codec(options: BoolOptions) -> Codec:
    """Compile the yes/no transform for `options`."""
    tokens = {token.strip().casefold(): True for token in options.true_tokens}
    tokens.update({token.strip().casefold(): False for token in options.false_tokens})
    expected = "one of " + ", ".join(
        repr(token) for token in (*options.true_tokens, *options.false_tokens)
    )

    def read_text(raw: str) -> bool | None:
        if is_blank(raw):
            return None
        try:
            return tokens[raw.strip().casefold()]
        except KeyError:
            raise ValueProblem(expected) from None

    def read_genius(raw: Any) -> bool | None:
        if raw is None or raw.__class__ is bool:
            return raw
        if raw.__class__ is int and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str):
            return read_text(raw)
        raise ValueProblem(expected)

    def read_hubspot(raw: Any) -> bool | None:
        return (
            read_text(raw) if isinstance(raw, str) or raw is None else read_genius(raw)
        )

    return Codec(read_hubspot, write_hubspot_bool, read_genius, write_same)


def write_hubspot_bool(value: bool | None) -> str:
    if value is None:
        return ""
    return "true" if value else "false"
