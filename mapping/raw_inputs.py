"""The raw inputs of a pair, kept to skip records that did not move.

Most records a sync reads again have not changed since both sides last
agreed (cursors overlap, webhooks repeat). When a record pair merged to an
empty plan, the engine keeps the raw values this pair read from both systems
(in JSON form, next to the snapshot). Equal raw inputs later mean the same
values under the same rules, so reading and merging them again would plan
nothing; comparing two lists costs far less than reading 25 fields twice.

The list holds an id of the pair's rules and the ERP timezone (editing the
mapping makes every record go through the full path once), the HubSpot
values, the Genius values and the names of their types. Only fields whose
raw values moved are read again; the others keep the snapshot's values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from hashlib import blake2b
from itertools import compress
from operator import itemgetter, ne
from typing import Any

from mapping.fields import CompiledField, read_value
from mapping.merge import Plan, Side
from mapping.problems import (
    MISSING,
    FieldError,
    required_error,
)

# Stands for a key the record does not have (unlike a key holding null); the
# types text then ends with ABSENT_MARK, and such records are read whole.
ABSENT = "\u0000absent"
ABSENT_MARK = "|absent"


class RawInputs:
    """Lists the raw values one pair reads, in a fixed order, JSON-ready."""

    __slots__ = (
        "_decimal_at",
        "_genius_keys",
        "_hubspot_keys",
        "_kinds",
        "_rules",
        "_take",
    )

    def __init__(
        self,
        rules: str,
        hubspot_keys: Sequence[str],
        genius_keys: Sequence[str],
        *,
        numeric_genius_keys: Sequence[str] = (),
    ) -> None:
        self._rules = blake2b(rules.encode(), digest_size=8).hexdigest()
        self._hubspot_keys = tuple(sorted(set(hubspot_keys)))
        self._genius_keys = tuple(sorted(set(genius_keys)))
        # One C-level call per side when every key is there (the usual case).
        self._take = (_getter(self._hubspot_keys), _getter(self._genius_keys))
        numeric = set(numeric_genius_keys)
        self._decimal_at = tuple(
            index for index, key in enumerate(self._genius_keys) if key in numeric
        )
        self._kinds: dict[tuple[type, ...], str] = {}

    def keys(self, system: str) -> tuple[str, ...]:
        return self._hubspot_keys if system == "hubspot" else self._genius_keys

    def of(self, hubspot: Mapping[str, Any], genius: Mapping[str, Any]) -> list[Any]:
        """[rules id, HubSpot values, Genius values, Genius value types]; an
        absent key reads as ABSENT."""
        take_hubspot, take_genius = self._take
        absent = ""
        try:
            hubspot_values = list(take_hubspot(hubspot))
        except KeyError:
            hubspot_values = [hubspot.get(key, ABSENT) for key in self._hubspot_keys]
            absent = ABSENT_MARK
        try:
            genius_values = list(take_genius(genius))
        except KeyError:
            genius_values = [genius.get(key, ABSENT) for key in self._genius_keys]
            absent = ABSENT_MARK
        # Python holds 0 == False == Decimal("0"): the Genius values' types go
        # with them, as one text that repeats from record to record.
        types = tuple(map(type, genius_values))
        kinds = self._kinds.get(types)
        if kinds is None:
            kinds = ",".join(kind.__name__ for kind in types)
            if len(self._kinds) < 256:
                self._kinds[types] = kinds
        # Decimals of number fields become their exact text, as once stored as
        # JSON; HubSpot sends every property value as text (or null) already.
        for index in self._decimal_at:
            value = genius_values[index]
            if value.__class__ is Decimal:
                genius_values[index] = str(value)
        return [self._rules, hubspot_values, genius_values, kinds + absent]


def _getter(keys: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    if not keys:
        return lambda _record: ()
    if len(keys) == 1:
        (key,) = keys
        return lambda record: (record[key],)
    return itemgetter(*keys)


def moved_keys(
    keys: tuple[str, ...], agreed: Any, current: list[Any]
) -> tuple[str, ...] | None:
    """Keys whose raw value moved; None when the lists cannot be compared."""
    if agreed.__class__ is not list or len(agreed) != len(current):
        return None
    return tuple(compress(keys, map(ne, agreed, current)))


class RawPlanning:
    """`plan_from_raw` for CompiledPair: read and merge only what moved.

    Uses the pair's `_raw_inputs`, `_names`, `fields`, `_keyed`,
    `_read_keyed`, `_work_for`, `_merge_fields`, `read_hubspot`,
    `read_genius` and `merge`.
    """

    _name_set: frozenset[str]
    _work_memo_raw: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[Any, ...]]

    def plan_from_raw(
        self,
        snapshot: Mapping[str, Any] | None,
        agreed_raw: Any,
        hubspot_properties: Mapping[str, Any],
        genius_record: Mapping[str, Any],
        *,
        hubspot_at: datetime | None,
        genius_at: datetime | None,
        field_modified_at: Mapping[str, datetime] | None = None,
        decide: Mapping[str, str] | None = None,
    ) -> tuple[Plan | None, list[Any]]:
        """Read and merge what moved since the raw inputs both sides agreed on.

        Returns (None, raw) when nothing moved, else (the merge's plan, raw).
        At an agreement both sides read as the snapshot, so a field whose raw
        inputs did not move keeps the snapshot's value: only the fields
        reading a moved input (and those sharing a system field with them)
        are read and settled. Without a usable agreement both records are read
        whole. Keep `raw` only with a plan that `is_empty`: it means "nothing
        to do" to the next call.
        """
        raw = self._raw_inputs.of(hubspot_properties, genius_record)
        if agreed_raw == raw:
            return None, raw
        work = self._work_since(snapshot, agreed_raw, raw)
        if work is None:
            hubspot = self.read_hubspot(hubspot_properties).side(
                modified_at=hubspot_at, field_modified_at=field_modified_at
            )
            genius = self.read_genius(genius_record).side(modified_at=genius_at)
            return self.merge(snapshot, hubspot, genius, decide=decide), raw

        hubspot_values: dict[str, Any] = {}
        genius_values: dict[str, Any] = {}
        errors: list[FieldError] = []
        context = self._context(hubspot_properties)
        items, reads = work
        for (name, decode, f, _settle), (reads_hubspot, reads_genius) in zip(
            items, reads, strict=True
        ):
            agreed = _agreed_value(f, decode, snapshot[name])
            if reads_hubspot:
                if f.keyed is not None:
                    self._read_keyed(
                        f, hubspot_properties, hubspot_values, errors, context
                    )
                else:
                    read_field(f, "hubspot", hubspot_properties, hubspot_values, errors)
            else:
                hubspot_values[name] = agreed
            if reads_genius:
                read_field(f, "genius", genius_record, genius_values, errors)
            else:
                genius_values[name] = agreed
        hubspot_errors = [e for e in errors if e.system == "hubspot"]
        genius_errors = [e for e in errors if e.system != "hubspot"]
        plan = self._merge_fields(
            items,
            dict(snapshot),  # it holds exactly the pair's fields (_work_since)
            snapshot,
            Side(
                hubspot_values, hubspot_at, field_modified_at, context, hubspot_errors
            ),
            Side(genius_values, genius_at, None, None, genius_errors),
            decide,
        )
        return plan, raw

    def _work_since(
        self, snapshot: Any, agreed_raw: Any, raw: list[Any]
    ) -> tuple[tuple[Any, ...], tuple[tuple[bool, bool], ...]] | None:
        """The merge work the moved keys call for; None: read both whole."""
        usable = (
            agreed_raw.__class__ is list
            and len(agreed_raw) == len(raw)
            and agreed_raw[0] == raw[0]
            and agreed_raw[3] == raw[3]
            and not raw[3].endswith(ABSENT_MARK)
            and snapshot.__class__ is dict  # as stored: JSON objects are dicts
            and len(snapshot) == len(self._names)
            and snapshot.keys() >= self._name_set
        )
        if not usable:
            return None
        moved_hubspot = moved_keys(
            self._raw_inputs.keys("hubspot"), agreed_raw[1], raw[1]
        )
        moved_genius = moved_keys(
            self._raw_inputs.keys("genius"), agreed_raw[2], raw[2]
        )
        if moved_hubspot is None or moved_genius is None:
            return None
        return self._work_of(moved_hubspot, moved_genius)

    def _work_of(
        self, moved_hubspot: tuple[str, ...], moved_genius: tuple[str, ...]
    ) -> tuple[tuple[Any, ...], tuple[tuple[bool, bool], ...]]:
        """The merge work for these moved keys: the fields to settle, and for
        each whether it reads a moved HubSpot or Genius key (remembered)."""
        work = self._work_memo_raw.get((moved_hubspot, moved_genius))
        if work is None:
            hubspot, genius = set(moved_hubspot), set(moved_genius)
            names = tuple(
                f.name
                for f in self.fields
                if f.genius in genius or hubspot.intersection(f.hubspot_keys)
            )
            items = self._work_for(names)
            reads = tuple(
                (bool(hubspot.intersection(f.hubspot_keys)), f.genius in genius)
                for _name, _decode, f, _settle in items
            )
            work = (items, reads)
            if len(self._work_memo_raw) >= 1024:
                self._work_memo_raw.clear()
            self._work_memo_raw[moved_hubspot, moved_genius] = work
        return work

    def _context(self, properties: Mapping[str, Any]) -> dict[str, str]:
        """What keyed rules learn from a record besides values (the pipeline)."""
        context = {}
        for f in self._keyed:
            if key := f.keyed.key_of(properties):
                context[f.keyed.key_property] = key
        return context


def _agreed_value(f: CompiledField, decode: Any, stored: Any) -> Any:
    """A snapshot value as the canonical value both sides read at agreement."""
    if stored is None:
        return None
    if f.kind == "multi_enum":
        return tuple(stored)
    return stored if decode is None else decode(stored)


def read_field(
    f: CompiledField,
    system: str,
    record: Mapping[str, Any],
    values: dict[str, Any],
    errors: list[FieldError],
) -> None:
    """One field of one record, as the pair's reader takes it: absent stays
    absent, an empty value takes the default or is a required field's error."""
    key = f.hubspot if system == "hubspot" else f.genius
    raw = record.get(key, MISSING)
    if raw is MISSING:
        return
    value = read_value(f, system, raw, errors)
    if value is MISSING:
        return
    if value is None:
        required = f.required_hubspot if system == "hubspot" else f.required_genius
        if f.default is not None:
            value = f.default
        elif required:
            errors.append(required_error(field=f.name, system=system, attribute=key))
            return
    values[f.name] = value
