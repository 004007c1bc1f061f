"""Enumerations: a table of HubSpot option values paired with Genius values.

The canonical value of an enum is the Genius value (the key). Lookups try
the exact value first, then a forgiving match that ignores case, accents and
spacing, against HubSpot values, Genius values and HubSpot option labels, so
"Net 30 days" typed where `net_30` was meant still maps. Anything else is
unmapped and the rule's policy decides: reject (a field error, and no call
with an invalid option), use the default, or leave the field alone.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from mapping.codec import Codec, as_text, is_blank
from mapping.problems import LeaveAlone, ValueProblem, shorten
from mapping.rules import EnumOptions, EnumPair


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a label or value."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


class EnumTableLookup:
    """The compiled lookups of one table of pairs."""

    __slots__ = (
        "by_genius",
        "by_hubspot",
        "folded_genius",
        "folded_hubspot",
        "genius_values",
        "hubspot_values",
        "projection",
        "to_hubspot",
    )

    def __init__(self, pairs: tuple[EnumPair, ...]) -> None:
        reading = [p for p in pairs if p.direction != "to_crm"]
        writing_only = [p for p in pairs if p.direction == "to_crm"]
        self.by_hubspot: dict[str, Any] = {}
        self.folded_hubspot: dict[str, Any] = {}
        for pair in (*reading, *writing_only):  # reading pairs take precedence
            self.by_hubspot.setdefault(pair.hubspot, pair.genius)
            for text in (pair.hubspot, pair.label):
                if text:
                    self.folded_hubspot.setdefault(fold(text), pair.genius)
        self.by_genius: dict[str, Any] = {str(p.genius): p.genius for p in pairs}
        self.folded_genius: dict[str, Any] = {}
        for pair in pairs:
            for text in (str(pair.genius), pair.label, pair.hubspot):
                if text:
                    self.folded_genius.setdefault(fold(text), pair.genius)
        self.to_hubspot = {
            str(p.genius): p.hubspot for p in pairs if p.direction != "to_erp"
        }
        self.projection = self._project()
        self.hubspot_values = list(dict.fromkeys(p.hubspot for p in reading))
        self.genius_values = list(dict.fromkeys(p.genius for p in pairs))

    def _project(self) -> dict[str, Any]:
        """Keys that HubSpot shows as another key once written (60 -> won -> 30)."""
        projection = {}
        for key_text, hubspot in self.to_hubspot.items():
            shown = self.by_hubspot.get(hubspot)
            if shown is not None and str(shown) != key_text:
                projection[key_text] = shown
        return projection

    def key_from_hubspot(self, text: str) -> Any:
        key = self.by_hubspot.get(text)
        return key if key is not None else self.folded_hubspot.get(fold(text))

    def key_from_genius(self, raw: Any) -> Any:
        text = as_text(raw)
        key = self.by_genius.get(text.strip())
        return key if key is not None else self.folded_genius.get(fold(text))

    def hubspot_of(self, key: Any) -> str | None:
        return self.to_hubspot.get(str(key))


def enum_codec(options: EnumOptions, *, multi: bool, default: Any) -> Codec:
    """Compile a plain (not keyed) enum or multi-enum rule."""
    table = EnumTableLookup(options.pairs)
    on_unmapped = unmapped_handler(options.unmapped, default, table)
    if multi:
        return _multi_codec(table, on_unmapped, options.separator)

    def read_hubspot(raw: Any) -> Any:
        if is_blank(raw):
            return None
        key = table.key_from_hubspot(as_text(raw).strip())
        return key if key is not None else on_unmapped(raw, "hubspot")

    def read_genius(raw: Any) -> Any:
        if is_blank(raw):
            return None
        key = table.key_from_genius(raw)
        return key if key is not None else on_unmapped(raw, "genius")

    def write_hubspot(key: Any) -> str:
        if key is None:
            return ""
        value = table.hubspot_of(key)
        if value is None:
            raise ValueProblem(
                "a Genius value with a HubSpot option",
                "has no HubSpot option to be written as (add a pair for it)",
            )
        return value

    projection = table.projection

    def project_hubspot(key: Any) -> Any:
        return projection.get(str(key), key)

    return Codec(
        read_hubspot,
        write_hubspot,
        read_genius,
        lambda key: key,
        project_hubspot if projection else None,
    )


def unmapped_handler(policy: str, default: Any, table: EnumTableLookup) -> Any:
    """What an unmapped value turns into under `policy`."""

    def on_unmapped(raw: Any, system: str) -> Any:
        if policy == "default":
            return default
        if policy == "leave":
            raise LeaveAlone
        known = table.hubspot_values if system == "hubspot" else table.genius_values
        shown = ", ".join(shorten(value, 30) for value in known[:8])
        more = ", …" if len(known) > 8 else ""
        raise ValueProblem(
            f"one of {shown}{more}",
            f"is not in the field's table of values (known: {shown}{more})",
        )

    return on_unmapped


def _multi_codec(table: EnumTableLookup, on_unmapped: Any, separator: str) -> Codec:
    def keys_of(items: list[Any], lookup: Any, system: str) -> tuple[Any, ...] | None:
        keys: set[Any] = set()
        for item in items:
            if is_blank(item):
                continue
            key = lookup(item.strip() if isinstance(item, str) else item)
            found = key if key is not None else on_unmapped(item, system)
            keys.update(found if isinstance(found, tuple) else (found,))
        keys.discard(None)
        return tuple(sorted(keys, key=str)) or None

    def read_hubspot(raw: Any) -> tuple[Any, ...] | None:
        if is_blank(raw):
            return None
        return keys_of(as_text(raw).split(";"), table.key_from_hubspot, "hubspot")

    def read_genius(raw: Any) -> tuple[Any, ...] | None:
        if is_blank(raw):
            return None
        items = raw if isinstance(raw, list | tuple) else None
        if items is None:
            items = as_text(raw).split(separator or ";")
        return keys_of(list(items), table.key_from_genius, "genius")

    def write_hubspot(keys: tuple[Any, ...] | None) -> str:
        if not keys:
            return ""  # never a leading ";", which HubSpot reads as "append"
        values = [table.hubspot_of(key) for key in keys]
        if None in values:
            missing = [k for k, v in zip(keys, values, strict=True) if v is None]
            raise ValueProblem(
                "Genius values with HubSpot options",
                f"has values without a HubSpot option: {shorten(missing)}",
            )
        return ";".join(sorted(values))  # type: ignore[arg-type]

    def write_genius(keys: tuple[Any, ...] | None) -> Any:
        if not keys:
            return None
        return separator.join(str(k) for k in keys) if separator else list(keys)

    return Codec(read_hubspot, write_hubspot, read_genius, write_genius)
