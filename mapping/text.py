"""Text fields: trim, letter case and a maximum length, the same on both sides.

The length rule applies when a value is read, from either system, so the
canonical value always fits the narrower side: a HubSpot deal name of 80
characters reads as its first 60 for a Genius title of 60, and reading it
again gives the same 60 characters, so truncation never looks like a change.
"""

from __future__ import annotations

from typing import Any

from mapping.codec import Codec, as_text, write_hubspot_text, write_same
from mapping.problems import ValueProblem
from mapping.rules import StringOptions


def text_codec(options: StringOptions) -> Codec:
    """Compile the text transform for `options`."""
    normalise = _normaliser(options)

    def read(raw: Any) -> str | None:
        if raw is None:
            return None
        return normalise(raw if raw.__class__ is str else as_text(raw))

    return Codec(read, write_hubspot_text, read, write_same)


def _normaliser(options: StringOptions) -> Any:
    trim, limit, case = options.trim, options.max_length, options.case
    reject = options.overflow == "reject"
    if trim and limit is None and case == "keep":
        return _strip_only

    def normalise(text: str) -> str | None:
        if not text.strip():
            return None
        if trim:
            text = text.strip()
        if case == "upper":
            text = text.upper()
        elif case == "lower":
            text = text.lower()
        if limit is not None and len(text) > limit:
            if reject:
                raise ValueProblem(
                    f"a text of at most {limit} characters",
                    f"has {len(text)} characters, more than the {limit} allowed",
                )
            text = text[:limit].rstrip() if trim else text[:limit]
        return text

    return normalise


def _strip_only(text: str) -> str | None:
    return text.strip() or None
