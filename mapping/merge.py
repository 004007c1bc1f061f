"""The per-field three-way merge: snapshot, HubSpot now, Genius now -> a plan.

For each field, a side "changed" when its value differs from the snapshot
(the canonical value both sides last agreed on), as that side shows it:

    HubSpot changed | Genius changed | result
    no              | no             | nothing
    yes             | no             | write Genius (if the direction allows)
    no              | yes            | write HubSpot (if the direction allows)
    yes, same value | yes            | snapshot only
    yes             | yes, otherwise | conflict: the field's policy decides

Without a snapshot (a new link, or a field new to the mapping), a value
present on one side only goes to the other, and two different values are a
conflict. One-way fields follow their source: when the source changed, the
target gets its value; changes made on the target alone are left there.
A value that could not be read (`MISSING`) leaves the field as it is. The
plan depends only on its inputs: the same inputs give the same plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from mapping.fields import CompiledField
from mapping.problems import MISSING, FieldError, ValueProblem, field_error

_NOTHING: Mapping[str, Any] = MappingProxyType({})


class Side:
    """One system's current record, as read by the compiled pair.

    `field_modified_at` gives per-field times (keyed by field name or by the
    side's property name, from HubSpot's property history); without one the
    record's `modified_at` counts. `context` carries what a read learnt
    besides values (the deal's pipeline); `errors` the read's field errors.
    A plain slotted class: one is built per record and side, so it is cheap.
    """

    __slots__ = ("context", "errors", "field_modified_at", "modified_at", "values")

    def __init__(
        self,
        values: Mapping[str, Any],
        modified_at: datetime | None,
        field_modified_at: Mapping[str, datetime] | None = None,
        context: Mapping[str, str] | None = None,
        errors: Sequence[FieldError] = (),
    ) -> None:
        self.values = values
        self.modified_at = modified_at
        self.field_modified_at = field_modified_at or _NOTHING
        self.context = context or _NOTHING
        self.errors = errors

    def time_of(self, names: tuple[str, ...]) -> datetime | None:
        times = [
            self.field_modified_at[n] for n in names if n in self.field_modified_at
        ]
        return max(times) if times else self.modified_at

    def __repr__(self) -> str:
        return f"Side(values={self.values!r}, modified_at={self.modified_at!r})"


@dataclass(frozen=True, slots=True)
class Conflict:
    """Both sides changed one field differently; what was decided and why."""

    field: str
    hubspot_value: Any  # JSON form of the canonical value
    genius_value: Any
    hubspot_modified_at: datetime | None
    genius_modified_at: datetime | None
    rule: str  # the policy applied: newest | hubspot | genius | hold
    outcome: str  # hubspot_won | genius_won | held

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "hubspot_value": self.hubspot_value,
            "genius_value": self.genius_value,
            "hubspot_modified_at": _iso(self.hubspot_modified_at),
            "genius_modified_at": _iso(self.genius_modified_at),
            "rule": self.rule,
            "outcome": self.outcome,
        }


@dataclass(slots=True)
class Plan:
    """What to write where, and what to remember, for one linked record."""

    to_genius: dict[str, Any] = field(default_factory=dict)
    to_hubspot: dict[str, str] = field(default_factory=dict)
    snapshot: dict[str, Any] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    snapshot_changed: bool = False

    @property
    def failed(self) -> bool:
        """A required field failed: the engine holds the whole record."""
        return any(error.required for error in self.errors)

    @property
    def is_empty(self) -> bool:
        """Nothing to write, nothing to report (the snapshot may still move)."""
        return (
            not (self.to_genius or self.to_hubspot or self.conflicts or self.held)
            and not self.errors
        )


class PlanBuilder:
    """Accumulates one plan; the settle_* functions decide field by field."""

    __slots__ = ("decide", "genius", "hubspot", "plan")

    def __init__(self, hubspot: Side, genius: Side, decide: Mapping[str, str]) -> None:
        self.plan = Plan()
        self.hubspot = hubspot
        self.genius = genius
        self.decide = decide

    def keep(self, f: CompiledField, stored: Any) -> None:
        if stored is not MISSING:
            self.plan.snapshot[f.name] = stored

    def agree(self, f: CompiledField, value: Any) -> None:
        self.plan.snapshot[f.name] = f.to_json(value)

    def send_genius(self, f: CompiledField, value: Any) -> bool:
        try:
            self.plan.to_genius[f.genius] = f.write_genius(value)
        except ValueProblem as problem:
            self._write_failed(f, "genius", f.genius, value, problem)
            return False
        return True

    def send_hubspot(self, f: CompiledField, value: Any) -> bool:
        try:
            if f.keyed is None:
                self.plan.to_hubspot[f.hubspot] = f.write_hubspot(value)
            else:
                f.write_hubspot_into(self.plan.to_hubspot, value, self.hubspot.context)
        except ValueProblem as problem:
            self._write_failed(f, "hubspot", f.hubspot, value, problem)
            return False
        return True

    def _write_failed(
        self, f: CompiledField, system: str, attribute: str, value: Any, problem: Any
    ) -> None:
        self.plan.errors.append(
            field_error(
                field=f.name,
                system=system,
                attribute=attribute,
                raw=f.to_json(value),
                problem=problem,
                required=f.required,
                writing=True,
            )
        )


def settler(f: CompiledField) -> Settle:
    """How a field whose values are not all equal is decided, by direction."""
    if f.to_erp and f.to_crm:
        return settle_both
    return settle_to_genius if f.to_erp else settle_to_hubspot


Settle = Callable[[PlanBuilder, CompiledField, Any, Any, Any, Any], None]


def settle_to_genius(
    b: PlanBuilder, f: CompiledField, h: Any, g: Any, s: Any, stored: Any
) -> None:
    context = b.hubspot.context
    if h is MISSING or (s is not MISSING and h == f.shown_in_hubspot(s, context)):
        b.keep(f, stored)
    elif s is MISSING and h is None:
        b.agree(f, None)  # nothing to copy yet; a later value will be
    elif g == h or b.send_genius(f, h):
        b.agree(f, h)
    else:
        b.keep(f, stored)


def settle_to_hubspot(
    b: PlanBuilder, f: CompiledField, h: Any, g: Any, s: Any, stored: Any
) -> None:
    if g is MISSING or (s is not MISSING and g == s):
        b.keep(f, stored)
    elif s is MISSING and g is None:
        b.agree(f, None)
    elif h == f.shown_in_hubspot(g, b.hubspot.context) or b.send_hubspot(f, g):
        b.agree(f, g)
    else:
        b.keep(f, stored)


def settle_both(
    b: PlanBuilder, f: CompiledField, h: Any, g: Any, s: Any, stored: Any
) -> None:
    if h is MISSING or g is MISSING:
        b.keep(f, stored)
        return
    context = b.hubspot.context
    hubspot_shows_genius = h == f.shown_in_hubspot(g, context)
    if s is MISSING:
        hubspot_changed = genius_changed = True
    else:
        hubspot_changed = h != f.shown_in_hubspot(s, context)
        genius_changed = g != s
    if hubspot_shows_genius:
        b.agree(f, g)  # the same value on both sides (the richer Genius form)
    elif s is MISSING and h is None:
        _copy_to_hubspot(b, f, g, stored)
    elif s is MISSING and g is None:
        _copy_to_genius(b, f, h, stored)
    elif hubspot_changed and genius_changed:
        resolve_conflict(b, f, h, g, stored)
    elif hubspot_changed:
        _copy_to_genius(b, f, h, stored)
    elif genius_changed:
        _copy_to_hubspot(b, f, g, stored)
    else:
        b.keep(f, stored)


def _copy_to_genius(b: PlanBuilder, f: CompiledField, h: Any, stored: Any) -> None:
    if b.send_genius(f, h):
        b.agree(f, h)
    else:
        b.keep(f, stored)


def _copy_to_hubspot(b: PlanBuilder, f: CompiledField, g: Any, stored: Any) -> None:
    if b.send_hubspot(f, g):
        b.agree(f, g)
    else:
        b.keep(f, stored)


def resolve_conflict(
    b: PlanBuilder, f: CompiledField, h: Any, g: Any, stored: Any
) -> None:
    """Both sides changed differently: apply the field's policy and log it."""
    hubspot_at = b.hubspot.time_of((f.name, *f.hubspot_keys))
    genius_at = b.genius.time_of((f.name, f.genius))
    rule = b.decide.get(f.name) or f.policy
    winner = rule
    if rule == "newest":
        winner = _newer(hubspot_at, genius_at)
    if winner == "hubspot":
        outcome = "hubspot_won"
        _copy_to_genius(b, f, h, stored)
    elif winner == "genius":
        outcome = "genius_won"
        _copy_to_hubspot(b, f, g, stored)
    else:
        outcome = "held"
        b.keep(f, stored)
        b.plan.held.append(f.name)
    b.plan.conflicts.append(
        Conflict(
            f.name, f.to_json(h), f.to_json(g), hubspot_at, genius_at, rule, outcome
        )
    )


def _newer(hubspot_at: datetime | None, genius_at: datetime | None) -> str:
    """The side changed last; a tie (or an unknown time) is held for review."""
    if hubspot_at is None or genius_at is None or hubspot_at == genius_at:
        return "hold"
    return "hubspot" if hubspot_at > genius_at else "genius"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
