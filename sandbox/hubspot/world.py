"""A portal's state: its records, their links, definitions and pipelines.

Everything lives in memory and is saved as one JSON document (see
`fixture.py`); apps, installs and tokens live in `registry.py`. Mutations
go through `Portal` methods so that the derived properties, the
per-property history and the change notes the webhook sender turns into
events stay right whoever writes: the API, a fixture or a simulated user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.hubspot import catalog
from sandbox.hubspot.values import format_number, iso_from_ms, now_ms


@dataclass(frozen=True)
class Source:
    """Who made a change: becomes the history entry and the webhook's source."""

    source_type: str  # INTEGRATION | CRM_UI | IMPORT | CALCULATED
    source_id: str = ""  # the app id for an integration, userId:<n> for a person
    user_id: int | None = None

    @property
    def change_source(self) -> str:
        return self.source_type


CALCULATED = Source("CALCULATED")


@dataclass
class Record:
    id: str
    object_type: str
    values: dict[str, str] = field(default_factory=dict)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    created_ms: int = 0
    updated_ms: int = 0
    archived_ms: int | None = None
    # Search sees `frozen` (None: not yet indexed) until `index_ready_ms`.
    frozen: dict[str, str] | None = None
    frozen_updated_ms: int = 0
    index_ready_ms: int = 0

    @property
    def archived(self) -> bool:
        return self.archived_ms is not None

    def searchable_values(self, at_ms: int) -> dict[str, str] | None:
        if at_ms >= self.index_ready_ms:
            return self.values
        return self.frozen


@dataclass
class Change:
    """A note for the webhook sender: something happened to a record."""

    action: str  # creation | propertyChange | deletion | restore | merge | ...
    object_type: str
    object_id: str
    occurred_ms: int
    source: Source
    property_name: str = ""
    property_value: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Portal:
    hub_id: int
    name: str
    domain: str
    time_zone: str = "America/Toronto"
    currencies: list[str] = field(default_factory=lambda: ["CAD"])
    users: list[dict[str, Any]] = field(default_factory=list)
    records: dict[str, dict[str, Record]] = field(default_factory=dict)
    properties: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    groups: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    pipelines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # (type, id) -> to_type -> to_id -> association type ids
    links: dict[tuple[str, str], dict[str, dict[str, set[int]]]] = field(
        default_factory=dict
    )
    merged_into: dict[tuple[str, str], str] = field(default_factory=dict)
    next_id: int = 1001
    version: int = 0  # grows with every change; search caches key on it
    index_delay_ms: int = 0
    notify: Callable[[int, Change], None] | None = None

    def __post_init__(self) -> None:
        for name in catalog.OBJECT_TYPES:
            self.records.setdefault(name, {})
            self.properties.setdefault(name, catalog.built_in_properties(name))
            self.groups.setdefault(name, catalog.built_in_groups(name))
        self.pipelines.setdefault("deals", [catalog.default_deal_pipeline()])
        if not self.users:
            self.users.append({"id": 2000001, "email": f"admin@{self.domain}"})
        self.refresh_currency_options()

    def refresh_currency_options(self) -> None:
        options = [
            catalog.option(code, code, n) for n, code in enumerate(self.currencies)
        ]
        for object_type, name in (
            ("deals", "deal_currency_code"),
            ("line_items", "hs_line_item_currency_code"),
        ):
            self.properties[object_type][name]["options"] = catalog.clone(options)
        pipelines = self.pipelines["deals"]
        deal_props = self.properties["deals"]
        deal_props["pipeline"]["options"] = [
            catalog.option(p["id"], p["label"], p["displayOrder"]) for p in pipelines
        ]
        deal_props["dealstage"]["options"] = [
            catalog.option(s["id"], s["label"], s["displayOrder"])
            for p in pipelines
            for s in p["stages"]
        ]

    # ids and lookups --------------------------------------------------------

    def new_id(self) -> str:
        value = self.next_id
        self.next_id += 1
        return str(value)

    def note_id(self, record_id: str) -> None:
        if record_id.isdigit():
            self.next_id = max(self.next_id, int(record_id) + 1)

    def get(self, object_type: str, record_id: str) -> Record | None:
        return self.records[object_type].get(record_id)

    def find_stage(self, pipeline_id: str, stage_id: str) -> dict[str, Any] | None:
        for pipeline in self.pipelines.get("deals", []):
            if pipeline["id"] == pipeline_id:
                for stage in pipeline["stages"]:
                    if stage["id"] == stage_id:
                        return stage
        return None

    # writes -----------------------------------------------------------------

    def create(
        self,
        object_type: str,
        values: dict[str, str],
        source: Source,
        *,
        record_id: str | None = None,
        at_ms: int | None = None,
    ) -> Record:
        at_ms = at_ms or now_ms()
        record_id = record_id or self.new_id()
        self.note_id(record_id)
        record = Record(record_id, object_type, created_ms=at_ms, updated_ms=at_ms)
        self.records[object_type][record_id] = record
        given = dict(values)
        given.setdefault("createdate", iso_from_ms(at_ms))
        if object_type == "deals":
            self._default_pipeline(given)
        self._freeze_for_index(record, at_ms, new=True)
        self._apply(record, given, source, at_ms)
        self._emit(Change("creation", object_type, record_id, at_ms, source))
        return record

    def update(
        self,
        record: Record,
        values: dict[str, str],
        source: Source,
        *,
        at_ms: int | None = None,
    ) -> list[str]:
        """Write `values`; returns the names of properties whose value changed."""
        at_ms = at_ms or now_ms()
        changed = [
            name for name, value in values.items() if record.values.get(name) != value
        ]
        if not changed:
            return []
        self._freeze_for_index(record, at_ms, new=False)
        return self._apply(record, values, source, at_ms)

    def _apply(
        self, record: Record, values: dict[str, str], source: Source, at_ms: int
    ) -> list[str]:
        changed = self._set_values(record, values, source, at_ms)
        derived = self._derive(record)
        changed += self._set_values(record, derived, CALCULATED, at_ms)
        record.updated_ms = at_ms
        stamp = {
            "hs_lastmodifieddate": iso_from_ms(at_ms),
            "hs_object_id": record.id,
        }
        self._set_values(record, stamp, CALCULATED, at_ms)
        for name in changed:
            self._emit(
                Change(
                    "propertyChange",
                    record.object_type,
                    record.id,
                    at_ms,
                    source if name in values else CALCULATED,
                    property_name=name,
                    property_value=record.values.get(name, ""),
                )
            )
        return changed

    def _set_values(
        self, record: Record, values: dict[str, str], source: Source, at_ms: int
    ) -> list[str]:
        changed = []
        for name, value in values.items():
            if record.values.get(name, "") == value and name in record.values:
                continue
            if value == "" and name not in record.values:
                continue
            record.values[name] = value
            entry: dict[str, Any] = {
                "value": value,
                "timestamp": iso_from_ms(at_ms),
                "sourceType": source.source_type,
            }
            if source.source_id:
                entry["sourceId"] = source.source_id
            if source.user_id is not None:
                entry["updatedByUserId"] = source.user_id
            record.history.setdefault(name, []).insert(0, entry)
            changed.append(name)
        return changed

    def _default_pipeline(self, values: dict[str, str]) -> None:
        # HubSpot puts a deal without pipeline in the default pipeline's first stage.
        if not values.get("pipeline"):
            first = self.pipelines["deals"][0]
            values["pipeline"] = first["id"]
            values.setdefault("dealstage", first["stages"][0]["id"])
        elif not values.get("dealstage"):
            for pipeline in self.pipelines["deals"]:
                if pipeline["id"] == values["pipeline"]:
                    values["dealstage"] = pipeline["stages"][0]["id"]

    def _derive(self, record: Record) -> dict[str, str]:
        values = record.values
        if record.object_type == "deals":
            stage = self.find_stage(
                values.get("pipeline", ""), values.get("dealstage", "")
            )
            if stage is None:
                return {}
            probability = stage["metadata"].get("probability", "0")
            closed = stage["metadata"].get("isClosed", "false")
            won = closed == "true" and Decimal(probability) == 1
            return {
                "hs_is_closed": closed,
                "hs_is_closed_won": "true" if won else "false",
                "hs_deal_stage_probability": format_number(Decimal(probability)),
                "amount_in_home_currency": values.get("amount", ""),
            }
        if record.object_type == "line_items":
            return {"amount": _line_amount(values)}
        return {}

    def _freeze_for_index(self, record: Record, at_ms: int, *, new: bool) -> None:
        if self.index_delay_ms <= 0:
            record.frozen, record.index_ready_ms = None, 0
            return
        if at_ms >= record.index_ready_ms:
            record.frozen = None if new else dict(record.values)
            record.frozen_updated_ms = record.updated_ms
        record.index_ready_ms = at_ms + self.index_delay_ms

    def archive(self, record: Record, source: Source) -> None:
        at_ms = now_ms()
        record.archived_ms = at_ms
        self._emit(Change("deletion", record.object_type, record.id, at_ms, source))

    def restore(self, record: Record, source: Source) -> None:
        at_ms = now_ms()
        record.archived_ms = None
        record.updated_ms = at_ms
        record.values["hs_lastmodifieddate"] = iso_from_ms(at_ms)
        self._emit(Change("restore", record.object_type, record.id, at_ms, source))

    # associations ------------------------------------------------------------

    def linked(
        self, object_type: str, record_id: str, to_type: str
    ) -> dict[str, set[int]]:
        return self.links.get((object_type, record_id), {}).get(to_type, {})

    def link(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        type_id: int,
        source: Source,
    ) -> bool:
        kind = catalog.ASSOCIATION_TYPES[type_id]
        types = {type_id}
        if kind.label is not None:
            # A labelled link (primary) always comes with the unlabeled one.
            types.add(catalog.default_association(from_type, to_type).type_id)
        forward = self.links.setdefault((from_type, from_id), {}).setdefault(
            to_type, {}
        )
        added = types - forward.get(to_id, set())
        if not added:
            return False
        forward.setdefault(to_id, set()).update(types)
        backward = self.links.setdefault((to_type, to_id), {}).setdefault(from_type, {})
        backward.setdefault(from_id, set()).update(
            catalog.ASSOCIATION_TYPES[t].reverse_id for t in types
        )
        for added_type in sorted(added):
            self._emit_association(
                from_type, from_id, to_type, to_id, added_type, source, False
            )
        return True

    def unlink(
        self, from_type: str, from_id: str, to_type: str, to_id: str, source: Source
    ) -> bool:
        forward = self.links.get((from_type, from_id), {}).get(to_type, {})
        removed = forward.pop(to_id, set())
        self.links.get((to_type, to_id), {}).get(from_type, {}).pop(from_id, None)
        for type_id in sorted(removed):
            self._emit_association(
                from_type, from_id, to_type, to_id, type_id, source, True
            )
        return bool(removed)

    def _emit_association(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        type_id: int,
        source: Source,
        removed: bool,
    ) -> None:
        kind = catalog.ASSOCIATION_TYPES[type_id]
        name = kind.v3_name.removesuffix("_unlabeled").upper()
        extra = {
            "associationType": name,
            "fromObjectId": int(from_id),
            "toObjectId": int(to_id),
            "associationRemoved": removed,
            "isPrimaryAssociation": kind.label == "Primary",
        }
        self._emit(
            Change(
                "associationChange", from_type, from_id, now_ms(), source, extra=extra
            )
        )

    def emit_merge(
        self,
        survivor: Record,
        primary_id: str,
        merged_ids: list[str],
        moved: int,
        source: Source,
    ) -> None:
        extra = {
            "primaryObjectId": int(primary_id),
            "mergedObjectIds": [int(i) for i in merged_ids],
            "newObjectId": int(survivor.id),
            "numberOfPropertiesMoved": moved,
        }
        change = Change(
            "merge", survivor.object_type, survivor.id, now_ms(), source, extra=extra
        )
        self._emit(change)

    def _emit(self, change: Change) -> None:
        self.version += 1
        if self.notify is not None:
            self.notify(self.hub_id, change)


def _line_amount(values: dict[str, str]) -> str:
    try:
        quantity = Decimal(values.get("quantity") or "0")
        price = Decimal(values.get("price") or "0")
        percent = Decimal(values.get("hs_discount_percentage") or "0")
        discount = Decimal(values.get("discount") or "0")
    except InvalidOperation:
        return ""
    unit = price - discount if discount else price * (1 - percent / 100)
    return format_number((unit * quantity).quantize(Decimal("0.0001")))
