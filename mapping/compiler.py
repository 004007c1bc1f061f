"""A mapping compiled once per run into per-pair functions over plain dicts.

    compiled = compile_mapping(document, genius_timezone="America/Toronto")
    deal = compiled.pair("deal")
    hubspot = deal.read_hubspot(deal_properties)       # -> Reading
    genius = deal.read_genius(quote_record)            # -> Reading
    plan = deal.merge(link_snapshot, hubspot.side(modified_at=...),
                      genius.side(modified_at=...))
    # plan.to_genius / plan.to_hubspot / plan.snapshot / plan.conflicts ...

The loops below run for every record of every sync, so they unpack
precomputed tuples instead of looking options up; the per-field work lives
in the functions each rule compiled to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mapping.assembly import FieldDiff, build_reader, memoised, remember_read
from mapping.document import PAIR_LABELS, MappingDocument, PairMapping
from mapping.fields import CompiledField, compile_field, read_value
from mapping.merge import Plan, PlanBuilder, Settle, Side, settler
from mapping.problems import (
    MISSING,
    FieldError,
    Issue,
    LeaveAlone,
    MappingInvalid,
    ValueProblem,
    field_error,
    required_error,
)
from mapping.raw_inputs import RawInputs, RawPlanning


@dataclass(slots=True)
class Reading:
    """Canonical values read from one record, and what could not be read."""

    values: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)
    context: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(error.required for error in self.errors)

    def side(
        self,
        *,
        modified_at: datetime | None,
        field_modified_at: Mapping[str, datetime] | None = None,
    ) -> Side:
        """This reading as one side of a merge."""
        return Side(
            self.values, modified_at, field_modified_at or {}, self.context, self.errors
        )


class CompiledPair(RawPlanning):
    """The compiled rules of one object pair (company, deal or line item)."""

    def __init__(
        self, pair: PairMapping, fields: list[CompiledField], *, genius_timezone: str
    ) -> None:
        self.name = pair.name
        self.label = PAIR_LABELS.get(pair.name, pair.name)
        self.fields = tuple(fields)
        self._plain = tuple(f for f in fields if f.keyed is None)
        self._keyed = tuple(f for f in fields if f.keyed is not None)
        self._hubspot_reader = build_reader(
            self._plain, "hubspot", self._slow_hubspot, self._required_hubspot
        )
        self._genius_reader = build_reader(
            self.fields, "genius", self._slow_genius, self._required_genius
        )
        self._diff = FieldDiff(self.fields)
        self._dependants = _dependants(self.fields)
        self._keyed_memo: dict[Any, tuple[str, Any]] = {}
        self._work_memo: dict[tuple[str, ...], tuple[Any, ...]] = {}
        # Fields that write a system go before one-way fields that read it, so
        # a rule reading a field another rule writes sees the planned value.
        order = {"both": 0, "to_erp": 1, "to_crm": 2}
        ordered = sorted(fields, key=lambda f: order[f.rule.direction])
        self._merge_plan = tuple(
            (f.name, None if f.decode is None else memoised(f.decode), f, settler(f))
            for f in ordered
        )
        self._names = tuple(f.name for f in fields)
        self._name_set = frozenset(self._names)
        self._work_memo_raw = {}
        self.hubspot_properties = sorted({k for f in fields for k in f.hubspot_keys})
        self.genius_fields = sorted({f.genius for f in fields})
        self._raw_inputs = RawInputs(
            repr((pair, genius_timezone)),
            self.hubspot_properties,
            self.genius_fields,
            numeric_genius_keys=[f.genius for f in fields if f.kind == "number"],
        )

    def raw_inputs(
        self, hubspot_properties: Mapping[str, Any], genius_record: Mapping[str, Any]
    ) -> list[Any]:
        """What this pair reads from both records, JSON-ready; see
        mapping/raw_inputs.py for how the engine uses it to skip work."""
        return self._raw_inputs.of(hubspot_properties, genius_record)

    def read_hubspot(self, properties: Mapping[str, str | None]) -> Reading:
        """HubSpot properties -> canonical values; absent properties stay absent."""
        values, errors = self._hubspot_reader.read(properties)
        context: dict[str, str] = {}
        for f in self._keyed:
            self._read_keyed(f, properties, values, errors, context)
        return Reading(values, errors, context)

    def read_genius(self, record: Mapping[str, Any]) -> Reading:
        """A Genius record (decoded JSON) -> canonical values."""
        values, errors = self._genius_reader.read(record)
        return Reading(values, errors)

    def _slow_hubspot(self, index: int, raw: Any, errors: list[FieldError]) -> Any:
        """The field's own reader, for what the generated fast path leaves."""
        value = read_value(self._plain[index], "hubspot", raw, errors)
        if value is not MISSING:
            remember_read(self._hubspot_reader.caches.get(index), raw, value)
        return value

    def _slow_genius(self, index: int, raw: Any, errors: list[FieldError]) -> Any:
        value = read_value(self.fields[index], "genius", raw, errors)
        if value is not MISSING:
            remember_read(self._genius_reader.caches.get(index), raw, value)
        return value

    def _required_hubspot(self, index: int, errors: list[FieldError]) -> Any:
        f = self._plain[index]
        errors.append(
            required_error(field=f.name, system="hubspot", attribute=f.hubspot)
        )
        return MISSING

    def _required_genius(self, index: int, errors: list[FieldError]) -> Any:
        f = self.fields[index]
        errors.append(required_error(field=f.name, system="genius", attribute=f.genius))
        return MISSING

    def _read_keyed(
        self,
        f: CompiledField,
        properties: Mapping[str, str | None],
        values: dict[str, Any],
        errors: list[FieldError],
        context: dict[str, str],
    ) -> None:
        codec = f.keyed
        assert codec is not None
        pipeline, stage = properties.get(codec.key_property), properties.get(f.hubspot)
        remembered = self._keyed_memo.get((f.name, pipeline, stage))
        if remembered is not None:
            context[codec.key_property], values[f.name] = remembered
            return
        key = codec.key_of(properties)
        if key:
            context[codec.key_property] = key
        try:
            value = codec.read_hubspot(properties, key)
        except ValueProblem as problem:
            raw = properties.get(f.hubspot)
            errors.append(
                _read_error(f, "hubspot", f.hubspot, raw, problem, f.required_hubspot)
            )
            return
        except LeaveAlone:
            return
        if value is MISSING:
            return
        if value is None:
            value = f.default
            if value is None and f.required_hubspot:
                errors.append(
                    required_error(field=f.name, system="hubspot", attribute=f.hubspot)
                )
                return
        values[f.name] = value
        if key and pipeline.__class__ is str and stage.__class__ is str:
            remember_read(self._keyed_memo, (f.name, pipeline, stage), (key, value))

    def merge(
        self,
        snapshot: Mapping[str, Any] | None,
        hubspot: Side,
        genius: Side,
        *,
        decide: Mapping[str, str] | None = None,
    ) -> Plan:
        """Three-way merge of every field; see mapping/merge.py for the rules.

        `decide` forces the winner of a conflict per field ("hubspot" or
        "genius"), for conflicts a person reviewed.
        """
        # A snapshot that is not an object (damaged storage) counts as none.
        stored = snapshot if isinstance(snapshot, Mapping) else {}
        moved = None
        if stored and not hubspot.errors and not genius.errors:
            moved = self._diff.moved(stored, hubspot.values, genius.values)
        if moved is None:  # no usable snapshot, or values missing: every field
            return self._merge_fields(
                self._merge_plan, {}, stored, hubspot, genius, decide
            )
        if not moved:
            return self._nothing_changed(stored)
        if len(stored) == len(self._names):
            kept = dict(stored)
        else:
            kept = {name: stored[name] for name in self._names}
        return self._merge_fields(
            self._work_for(moved), kept, stored, hubspot, genius, decide
        )

    def _work_for(self, moved: tuple[str, ...]) -> tuple[Any, ...]:
        """The moved fields and those sharing a system field with them, in order."""
        work = self._work_memo.get(moved)
        if work is None:
            wanted = set(moved).union(*(self._dependants[name] for name in moved))
            work = tuple(item for item in self._merge_plan if item[0] in wanted)
            if len(self._work_memo) >= 1024:
                self._work_memo.clear()
            self._work_memo[moved] = work
        return work

    def _merge_fields(
        self,
        work: tuple[tuple[str, Any, CompiledField, Settle], ...],
        kept: dict[str, Any],
        stored_values: Mapping[str, Any],
        hubspot: Side,
        genius: Side,
        decide: Mapping[str, str] | None,
    ) -> Plan:
        """Settle the fields of `work` in order; `kept` holds the others."""
        builder = PlanBuilder(hubspot, genius, decide or {})
        plan = builder.plan
        plan.snapshot = new_snapshot = kept
        hubspot_values, genius_values = hubspot.values, genius.values
        to_genius, to_hubspot = plan.to_genius, plan.to_hubspot
        for name, decode, f, settle in work:
            h = hubspot_values.get(name, MISSING)
            g = genius_values.get(name, MISSING)
            if to_genius and f.genius in to_genius:
                g = _reread(f.read_genius, to_genius[f.genius])
            if to_hubspot and f.hubspot in to_hubspot:
                h = _reread_hubspot(f, to_hubspot)
            stored = stored_values.get(name, MISSING)
            s = stored
            if decode is not None and stored is not None and stored is not MISSING:
                try:
                    s = decode(stored)
                except (ValueError, TypeError):
                    s = stored = MISSING  # from an older mapping: start afresh
            if s is not MISSING and h == s and g == s:
                new_snapshot[name] = stored
                continue
            settle(builder, f, h, g, s, stored)
        plan.errors[:0] = [*hubspot.errors, *genius.errors]
        if plan.failed:
            return Plan(snapshot=dict(stored_values), errors=plan.errors)
        plan.snapshot_changed = new_snapshot != stored_values
        return plan

    def _nothing_changed(self, stored: Mapping[str, Any]) -> Plan:
        if len(stored) == len(self._names):
            return Plan(snapshot=dict(stored))
        kept = {name: stored[name] for name in self._names}
        return Plan(snapshot=kept, snapshot_changed=True)

    def write_genius(
        self, values: Mapping[str, Any], errors: list[FieldError] | None = None
    ) -> dict[str, Any]:
        """Canonical values -> a Genius body, for fields flowing to the ERP."""
        builder = PlanBuilder(Side({}, None), Side({}, None), {})
        for f in self.fields:
            if f.to_erp and f.name in values:
                builder.send_genius(f, values[f.name])
        if errors is not None:
            errors.extend(builder.plan.errors)
        return builder.plan.to_genius

    def write_hubspot(
        self,
        values: Mapping[str, Any],
        errors: list[FieldError] | None = None,
        *,
        context: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        """Canonical values -> HubSpot properties, for fields flowing to the CRM.

        `context` gives the deal's pipeline for the stage; without it the
        rule's default pipeline is used.
        """
        builder = PlanBuilder(Side({}, None, context=context or {}), Side({}, None), {})
        for f in self.fields:
            if f.to_crm and f.name in values:
                builder.send_hubspot(f, values[f.name])
        if errors is not None:
            errors.extend(builder.plan.errors)
        return builder.plan.to_hubspot


class CompiledMapping:
    """Every pair of a document, compiled for one tenant's ERP timezone."""

    def __init__(self, pairs: dict[str, CompiledPair], genius_timezone: str) -> None:
        self.pairs = pairs
        self.genius_timezone = genius_timezone

    def pair(self, name: str) -> CompiledPair:
        try:
            return self.pairs[name]
        except KeyError:
            known = ", ".join(self.pairs) or "none"
            raise LookupError(
                f"the mapping has no pair {name!r} (has: {known})"
            ) from None


def compile_mapping(doc: MappingDocument, *, genius_timezone: str) -> CompiledMapping:
    """Compile `doc`; MappingInvalid if the timezone or a default is unusable."""
    try:
        ZoneInfo(genius_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        issue = Issue(
            "error",
            f"The ERP timezone {genius_timezone!r} is not an IANA timezone name "
            "such as 'America/Toronto': correct the tenant's Genius settings.",
        )
        raise MappingInvalid([issue]) from None
    issues: list[Issue] = []
    pairs: dict[str, CompiledPair] = {}
    for name, pair in doc.pairs.items():
        fields = []
        for rule in pair.fields:
            if rule.direction == "off":
                continue
            try:
                fields.append(compile_field(rule, tz=genius_timezone))
            except (ValueProblem, ValueError) as problem:
                issues.append(
                    Issue(
                        "error",
                        f"{pair.label}, field {rule.name!r}: default "
                        f"{rule.default!r} does not fit the field's options: {problem}",
                        name,
                        rule.name,
                    )
                )
        pairs[name] = CompiledPair(pair, fields, genius_timezone=genius_timezone)
    if issues:
        raise MappingInvalid(issues)
    return CompiledMapping(pairs, genius_timezone)


def _dependants(fields: tuple[CompiledField, ...]) -> dict[str, frozenset[str]]:
    """For each field, the others touching one of its system fields."""
    touched = {
        f.name: {("genius", f.genius), *(("hubspot", key) for key in f.hubspot_keys)}
        for f in fields
    }
    return {
        name: frozenset(
            other for other, keys in touched.items() if other != name and keys & mine
        )
        for name, mine in touched.items()
    }


def _reread(read: Any, raw: Any) -> Any:
    """A value this plan writes, as the field reading it will see it."""
    try:
        return read(raw)
    except (ValueProblem, LeaveAlone):
        return MISSING


def _reread_hubspot(f: CompiledField, body: Mapping[str, str]) -> Any:
    if f.keyed is None:
        return _reread(f.read_hubspot, body[f.hubspot])
    return _reread(
        lambda props: f.keyed.read_hubspot(props, f.keyed.key_of(props)), body
    )


def _read_error(
    f: CompiledField,
    system: str,
    attribute: str,
    raw: Any,
    problem: ValueProblem,
    required: bool,
) -> FieldError:
    return field_error(
        field=f.name,
        system=system,
        attribute=attribute,
        raw=raw,
        problem=problem,
        required=required,
    )
