"""HubSpot deals and Genius quotes: creating, merging and writing back.

Each open deal without a quote gets one, with its customer and its lines;
the quote carries the deal's id in its external reference, so a retry after
a crash finds it instead of making a second. Linked pairs are merged field by
field against their snapshot; the HubSpot write-backs of a batch of deals go
out in one batch call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from store.db import session_scope
from store.models import Link, LinkKind, ReviewKind
from sync.engine.customers import CustomerLinker, raise_required
from sync.engine.scope import (
    RAW_KEY,
    RunScope,
    hubspot_modified,
    json_ready,
    present,
)
from sync.errors import RecordNotFound, RecordRejected
from sync.links import save_link
from sync.reviews import hold, resolve_for_record

QUOTE_REFERENCE = "HS-DEAL-{}"
LINES_KEY = "lines"


@dataclass
class DealWork:
    """One deal of a batch, with what the batch read for it."""

    deal: dict[str, Any]
    link: Link | None
    quote: dict[str, Any] | None = None
    company: dict[str, Any] | None = None
    line_items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def deal_id(self) -> str:
        return str(self.deal["id"])

    @property
    def properties(self) -> dict[str, Any]:
        return self.deal.get("properties") or {}


@dataclass
class Outcome:
    """What syncing one deal decided, applied after the batch's HubSpot write."""

    deal_id: str
    number: str
    to_hubspot: dict[str, str]
    snapshot: dict[str, Any]
    hubspot_modified_at: datetime | None
    genius_modified_at: datetime | None
    created: bool = False
    changed: bool = False


class QuoteSyncer:
    """Keeps each deal and its quote in step."""

    def __init__(self, scope: RunScope, customers: CustomerLinker) -> None:
        self.scope = scope
        self.customers = customers
        self.deals = scope.mapping.pair("deal")
        self.lines = scope.mapping.pair("line_item")

    async def sync(self, work: DealWork) -> Outcome | None:
        """Create or merge the deal's quote; None when the deal is not for us yet."""
        lines = self.build_lines(work)
        created = False
        quote = work.quote
        if quote is None and work.link is None:
            quote = await self.scope.genius.find_quote_by_reference(
                QUOTE_REFERENCE.format(work.deal_id)
            )
        if quote is None:
            if work.link is not None:
                raise RecordNotFound(
                    f"quote {work.link.genius_id} of deal {work.deal_id} is gone from "
                    "Genius; unlink the deal to have a new quote made",
                    object_kind="deal",
                    hubspot_id=work.deal_id,
                    genius_id=work.link.genius_id,
                )
            if not self.is_open(work):
                return None
            quote = await self._create_quote(work, lines)
            created = True

        snapshot = (work.link.snapshot if work.link else {}) or {}
        known_at = work.link.genius_modified_at if work.link else None
        plan, raw = await self._plan(work, quote, snapshot, known_at)
        changes = dict(plan.to_genius) if plan else {}
        if not created and json_ready(lines) != snapshot.get(LINES_KEY):
            changes["Lines"] = lines
        if changes:
            quote = await self.scope.genius.update_quote(quote["Number"], changes)
        to_hubspot = dict(plan.to_hubspot) if plan else {}
        # Raw inputs stand for "nothing to do": kept only when nothing was.
        settled = (plan is None or plan.is_empty) and not changes
        fields = plan.snapshot if plan else snapshot.get("fields")
        return Outcome(
            deal_id=work.deal_id,
            number=quote["Number"],
            to_hubspot=to_hubspot,
            snapshot={
                "fields": fields,
                LINES_KEY: json_ready(lines),
                RAW_KEY: json_ready(raw) if settled else None,
            },
            hubspot_modified_at=hubspot_modified(work.deal),
            genius_modified_at=self.scope.genius_modified(quote, not_before=known_at),
            created=created,
            changed=bool(changes or to_hubspot),
        )

    async def _plan(
        self,
        work: DealWork,
        quote: dict[str, Any],
        snapshot: dict[str, Any],
        known_at: datetime | None,
    ) -> tuple[Any, list[Any]]:
        """The merge of deal and quote; (None, raw) when neither moved."""
        times = {
            "hubspot_at": hubspot_modified(work.deal),
            "genius_at": self.scope.genius_modified(quote, not_before=known_at),
        }
        fields, agreed = snapshot.get("fields"), snapshot.get(RAW_KEY)
        plan, raw = self.deals.plan_from_raw(
            fields, agreed, work.properties, quote, **times
        )
        if plan is not None and any(c.rule == "newest" for c in plan.conflicts):
            # The deal's own modification time moves with any property (our
            # write-backs included); decide by when each property changed.
            property_times = await self._property_times(work, plan.conflicts)
            plan, raw = self.deals.plan_from_raw(
                fields,
                agreed,
                work.properties,
                quote,
                field_modified_at=property_times,
                **times,
            )
        if plan is not None:
            raise_required(plan.errors, "deal", work.deal_id)
            self._report(work, quote, plan)
        return plan, raw

    async def _property_times(
        self, work: DealWork, conflicts: list[Any]
    ) -> dict[str, datetime]:
        """When each conflicting HubSpot property last changed, from its history."""
        names = {conflict.field for conflict in conflicts}
        properties = sorted(
            {
                key
                for f in self.deals.fields
                if f.name in names
                for key in f.hubspot_keys
            }
        )
        found = await self.scope.hubspot.batch_read(
            "deals",
            [work.deal_id],
            properties=properties,
            properties_with_history=properties,
        )
        times = {}
        for record in found.results:
            for name, entries in (record.get("propertiesWithHistory") or {}).items():
                stamps = [
                    datetime.fromisoformat(entry["timestamp"]) for entry in entries
                ]
                if stamps:
                    times[name] = max(stamps)
        return times

    def is_open(self, work: DealWork) -> bool:
        stage = (
            work.properties.get("pipeline") or "",
            work.properties.get("dealstage") or "",
        )
        return stage not in self.scope.closed_stages

    def build_lines(self, work: DealWork) -> list[dict[str, Any]]:
        """The deal's line items as Genius quote lines, in a stable order."""
        ordered = sorted(
            work.line_items,
            key=lambda item: (
                (item.get("properties") or {}).get("createdate") or "",
                int(item["id"]) if str(item["id"]).isdigit() else 0,
            ),
        )
        lines = []
        for number, item in enumerate(ordered, start=1):
            reading = self.lines.read_hubspot(item.get("properties") or {})
            errors: list[Any] = list(reading.errors)
            values = self.lines.write_genius(reading.values, errors)
            # A quote line is exact or absent: any unreadable value stops the deal
            # (a line quietly missing its quantity would be worse).
            if errors:
                raise RecordRejected(
                    f"line item {item['id']} of deal {work.deal_id}: "
                    + "; ".join(error.message for error in errors),
                    object_kind="deal",
                    hubspot_id=work.deal_id,
                )
            lines.append({"LineNumber": number, **present(values)})
        return lines

    async def _create_quote(
        self, work: DealWork, lines: list[dict[str, Any]]
    ) -> dict[str, Any]:
        reading = self.deals.read_hubspot(work.properties)
        raise_required(reading.errors, "deal", work.deal_id)
        if work.company is None:
            raise RecordRejected(
                f"deal {work.deal_id} has no associated company; associate the "
                "customer's company with the deal in HubSpot and it will sync",
                object_kind="deal",
                hubspot_id=work.deal_id,
            )
        code = await self.customers.code_for(
            work.company, currency=work.properties.get("deal_currency_code") or ""
        )
        fields = {
            **present(self.deals.write_genius(reading.values)),
            "CustomerCode": code,
            "ExternalReference": QUOTE_REFERENCE.format(work.deal_id),
            "Lines": lines,
        }
        quote = await self.scope.genius.create_quote(fields)
        # Keep the pair at once: a run that stops now must not lose the link.
        with session_scope() as session:
            save_link(
                session,
                self.scope.tenant_id,
                LinkKind.DEAL,
                hubspot_id=work.deal_id,
                genius_id=quote["Number"],
                snapshot={},
            )
        return quote

    def _report(self, work: DealWork, quote: dict[str, Any], plan: Any) -> None:
        """Log the plan's field errors and conflicts; the record still syncs."""
        ids = {
            "object_kind": "deal",
            "hubspot_id": work.deal_id,
            "genius_id": quote["Number"],
        }
        for error in plan.errors:
            self.scope.recorder.event(
                "deal.field_error", error.message, level="warning", **ids
            )
        held = []
        for conflict in plan.conflicts:
            self.scope.recorder.count("conflicts")
            winner = {"hubspot_won": "HubSpot's", "genius_won": "Genius's"}.get(
                conflict.outcome, "neither"
            )
            message = (
                f"{conflict.field}: HubSpot has {conflict.hubspot_value!r}, "
                f"Genius has {conflict.genius_value!r}; {winner} value kept "
                f"(rule: {conflict.rule})"
            )
            self.scope.recorder.event(
                "deal.conflict",
                message,
                level="warning",
                data=conflict.as_dict(),
                **ids,
            )
            if conflict.outcome == "held":
                held.append(conflict.as_dict())
        if held:
            # Both values stay as they are until a person picks one.
            with session_scope() as session:
                hold(
                    session,
                    self.scope.tenant_id,
                    ReviewKind.CONFLICT,
                    object_kind="deal",
                    hubspot_id=work.deal_id,
                    genius_id=quote["Number"],
                    summary="Fields changed on both sides wait for a choice: "
                    + ", ".join(item["field"] for item in held),
                    data={"conflicts": held},
                )


def save_outcome(scope: RunScope, outcome: Outcome) -> None:
    """Record what deal and quote now agree on."""
    with session_scope() as session:
        save_link(
            session,
            scope.tenant_id,
            LinkKind.DEAL,
            hubspot_id=outcome.deal_id,
            genius_id=outcome.number,
            snapshot=outcome.snapshot,
            hubspot_modified_at=outcome.hubspot_modified_at,
            genius_modified_at=outcome.genius_modified_at,
        )
        resolve_for_record(session, scope.tenant_id, "deal", outcome.deal_id, by="sync")
