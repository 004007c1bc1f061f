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

from mapping.document import PAIR_LABELS, MappingDocument, PairMapping
from mapping.fields import CompiledField, compile_field
from mapping.merge import Plan, PlanBuilder, Side, settle
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


class CompiledPair:
    """The compiled rules of one object pair (company, deal or line item)."""

    def __init__(self, pair: PairMapping, fields: list[CompiledField]) -> None:
        self.name = pair.name
        self.label = PAIR_LABELS.get(pair.name, pair.name)
        self.fields = tuple(fields)
        plain = [f for f in fields if f.keyed is None]
        self._hubspot_plan = tuple(
            (f.name, f.hubspot, f.read_hubspot, f.default, f.required_hubspot, f)
            for f in plain
        )
        self._keyed = tuple(f for f in fields if f.keyed is not None)
        self._genius_plan = tuple(
            (f.name, f.genius, f.read_genius, f.default, f.required_genius, f)
            for f in fields
        )
        # Fields that write a system go before one-way fields that read it, so
        # a rule reading a field another rule writes sees the planned value.
        order = {"both": 0, "to_erp": 1, "to_crm": 2}
        ordered = sorted(fields, key=lambda f: order[f.rule.direction])
        self._merge_plan = tuple((f.name, f.decode, f) for f in ordered)
        self.hubspot_properties = sorted({k for f in fields for k in f.hubspot_keys})
        self.genius_fields = sorted({f.genius for f in fields})

    def read_hubspot(self, properties: Mapping[str, str | None]) -> Reading:
        """HubSpot properties -> canonical values; absent properties stay absent."""
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        context: dict[str, str] = {}
        for name, key, read, default, required, f in self._hubspot_plan:
            raw = properties.get(key, MISSING)
            if raw is MISSING:
                continue
            try:
                value = read(raw)
            except ValueProblem as problem:
                errors.append(_read_error(f, "hubspot", key, raw, problem, required))
                continue
            except LeaveAlone:
                continue
            if value is None:
                if default is not None:
                    value = default
                elif required:
                    errors.append(
                        required_error(field=name, system="hubspot", attribute=key)
                    )
                    continue
            values[name] = value
        for f in self._keyed:
            self._read_keyed(f, properties, values, errors, context)
        return Reading(values, errors, context)

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

    def read_genius(self, record: Mapping[str, Any]) -> Reading:
        """A Genius record (decoded JSON) -> canonical values."""
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        for name, key, read, default, required, f in self._genius_plan:
            raw = record.get(key, MISSING)
            if raw is MISSING:
                continue
            try:
                value = read(raw)
            except ValueProblem as problem:
                errors.append(_read_error(f, "genius", key, raw, problem, required))
                continue
            except LeaveAlone:
                continue
            if value is None:
                if default is not None:
                    value = default
                elif required:
                    errors.append(
                        required_error(field=name, system="genius", attribute=key)
                    )
                    continue
            values[name] = value
        return Reading(values, errors)

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
        stored_values = snapshot or {}
        builder = PlanBuilder(hubspot, genius, decide or {})
        plan = builder.plan
        new_snapshot = plan.snapshot
        hubspot_values, genius_values = hubspot.values, genius.values
        to_genius, to_hubspot = plan.to_genius, plan.to_hubspot
        for name, decode, f in self._merge_plan:
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
        pairs[name] = CompiledPair(pair, fields)
    if issues:
        raise MappingInvalid(issues)
    return CompiledMapping(pairs, genius_timezone)


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
