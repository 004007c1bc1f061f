"""Deals in batches of a hundred: read together, synced one by one, written together.

A record that fails is logged and held (sync/reviews.py) and the batch goes
on; the next run tries it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from store.db import session_scope
from store.models import LinkKind, ReviewKind
from sync.engine.changes import ChangeSet, deal_properties
from sync.engine.customers import CompanyHeld, CustomerLinker
from sync.engine.quotes import DealWork, Outcome, QuoteSyncer, save_outcome
from sync.engine.scope import RunScope
from sync.errors import RecordError
from sync.links import links_by_genius, links_by_hubspot
from sync.reviews import hold

LINE_ITEM_PROPERTIES = ("createdate",)
SKIPPED_SHOWN = 20


class DealBatches:
    """Syncs the deals of a run, a batch at a time."""

    def __init__(self, scope: RunScope, customers: CustomerLinker) -> None:
        self.scope = scope
        self.customers = customers
        self.quotes = QuoteSyncer(scope, customers)
        self.line_properties = sorted(
            {*scope.mapping.pair("line_item").hubspot_properties, *LINE_ITEM_PROPERTIES}
        )
        self.skipped: list[str] = []

    async def sync_batch(self, deal_ids: Sequence[str], changes: ChangeSet) -> None:
        works = await self._gather(deal_ids, changes)
        outcomes: list[Outcome] = []
        for work in works:
            try:
                outcome = await self.quotes.sync(work)
            except RecordError as error:
                self.fail(work.deal_id, error)
            else:
                if outcome is None:
                    self.scope.recorder.count("skipped")
                    self.skipped.append(work.deal_id)
                else:
                    outcomes.append(outcome)
            self.scope.recorder.advance()
        await self._write_back(outcomes)

    def report_skipped(self) -> None:
        """One line for the closed deals left alone (no quote is made for them)."""
        if not self.skipped:
            return
        shown = ", ".join(self.skipped[:SKIPPED_SHOWN])
        more = len(self.skipped) - SKIPPED_SHOWN
        self.scope.recorder.event(
            "deal.skipped",
            f"{len(self.skipped)} closed deal(s) without a quote left alone: {shown}"
            + (f" and {more} more" if more > 0 else ""),
            object_kind="deal",
            data={"deal_ids": self.skipped[:1000]},
        )

    async def _gather(
        self, deal_ids: Sequence[str], changes: ChangeSet
    ) -> list[DealWork]:
        """Read the batch's deals, companies, line items and quotes together."""
        hubspot = self.scope.hubspot
        deals = {i: changes.deals[i] for i in deal_ids if i in changes.deals}
        missing = [i for i in deal_ids if i not in deals]
        if missing:
            found = await hubspot.batch_read(
                "deals", missing, properties=deal_properties(self.scope)
            )
            deals.update({str(deal["id"]): deal for deal in found.results})
        ids = list(deals)
        company_ids = await hubspot.associated_ids("deals", ids, "companies")
        item_ids = await hubspot.associated_ids("deals", ids, "line_items")
        companies = await self._read(
            "companies", company_ids, self.customers.properties
        )
        items = await self._read("line_items", item_ids, self.line_properties)
        with session_scope() as session:
            links = links_by_hubspot(session, self.scope.tenant_id, LinkKind.DEAL, ids)

        works = []
        for deal_id, deal in deals.items():
            link = links.get(deal_id)
            quote = changes.quotes.get(link.genius_id) if link else None
            if link is not None and quote is None:
                quote = await self.scope.genius.get_quote(link.genius_id)
            first_company = next(iter(company_ids.get(deal_id, [])), None)
            works.append(
                DealWork(
                    deal=deal,
                    link=link,
                    quote=quote,
                    company=companies.get(first_company) if first_company else None,
                    line_items=[
                        items[i] for i in item_ids.get(deal_id, []) if i in items
                    ],
                )
            )
        return works

    async def _read(
        self, object_type: str, by_deal: dict[str, list[str]], properties: list[str]
    ) -> dict[str, dict[str, Any]]:
        ids = list(dict.fromkeys(i for found in by_deal.values() for i in found))
        if not ids:
            return {}
        result = await self.scope.hubspot.batch_read(
            object_type, ids, properties=properties
        )
        return {str(record["id"]): record for record in result.results}

    async def _write_back(self, outcomes: list[Outcome]) -> None:
        """One batch update for the deals' new values, then the links."""
        updates = [
            {"id": outcome.deal_id, "properties": outcome.to_hubspot}
            for outcome in outcomes
            if outcome.to_hubspot
        ]
        failed: dict[str, str] = {}
        if updates:
            result = await self.scope.hubspot.batch_update("deals", updates)
            failed = result.failed_ids()
        for outcome in outcomes:
            if outcome.deal_id in failed:
                self.fail(outcome.deal_id, RecordError(failed[outcome.deal_id]))
                continue
            save_outcome(self.scope, outcome)
            self._count(outcome)

    def _count(self, outcome: Outcome) -> None:
        recorder = self.scope.recorder
        if outcome.created:
            recorder.count("created")
            recorder.event(
                "quote.created",
                f"quote {outcome.number} created for deal {outcome.deal_id}",
                object_kind="deal",
                hubspot_id=outcome.deal_id,
                genius_id=outcome.number,
            )
        elif outcome.changed:
            recorder.count("updated")
            recorder.event(
                "deal.updated",
                f"deal {outcome.deal_id} and quote {outcome.number} brought in step",
                object_kind="deal",
                hubspot_id=outcome.deal_id,
                genius_id=outcome.number,
                data={"to_hubspot": sorted(outcome.to_hubspot)},
            )
        else:
            recorder.count("unchanged")

    def fail(self, deal_id: str, error: RecordError) -> None:
        """Log the record's error and hold it; the run goes on."""
        recorder = self.scope.recorder
        kind = (
            ReviewKind.IDENTITY
            if isinstance(error, CompanyHeld)
            else ReviewKind.RECORD_ERROR
        )
        recorder.count("held" if kind == ReviewKind.IDENTITY else "errors")
        recorder.event(
            "deal.failed",
            error.message,
            level="error",
            object_kind="deal",
            hubspot_id=deal_id,
            genius_id=error.genius_id,
        )
        with session_scope() as session:
            hold(
                session,
                self.scope.tenant_id,
                kind,
                object_kind="deal",
                hubspot_id=deal_id,
                genius_id=error.genius_id,
                summary=error.message,
            )


async def sync_company_pairs(
    scope: RunScope, customers: CustomerLinker, changes: ChangeSet
) -> None:
    """Merge linked companies and customers that changed on either side."""
    with session_scope() as session:
        by_company = links_by_hubspot(
            session, scope.tenant_id, LinkKind.COMPANY, changes.companies.keys()
        )
        by_customer = links_by_genius(
            session, scope.tenant_id, LinkKind.COMPANY, changes.customers.keys()
        )
    links = {
        link.hubspot_id: link for link in [*by_company.values(), *by_customer.values()]
    }
    pending = [i for i in links if i not in customers.codes]  # not agreed this run
    if not pending:
        return
    missing = [i for i in pending if i not in changes.companies]
    companies = dict(changes.companies)
    if missing:
        found = await scope.hubspot.batch_read(
            "companies", missing, properties=customers.properties
        )
        companies.update({str(company["id"]): company for company in found.results})
    for company_id in pending:
        link = links[company_id]
        company = companies.get(company_id)
        customer = changes.customers.get(link.genius_id) or customers.customers.get(
            link.genius_id
        )
        if company is None or customer is None:
            continue
        try:
            written = await customers.agree(company, customer, link.snapshot)
        except RecordError as error:
            scope.recorder.count("errors")
            scope.recorder.event(
                "company.failed",
                error.message,
                level="error",
                object_kind="company",
                hubspot_id=company_id,
                genius_id=link.genius_id,
            )
            continue
        scope.recorder.count("companies_updated" if written else "unchanged")
