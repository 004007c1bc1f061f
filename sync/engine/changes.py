"""What changed on both sides since the cursors, and which deals that concerns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from store.db import session_scope
from store.models import LinkKind
from sync import cursors
from sync.engine.scope import RunScope, hubspot_modified
from sync.links import links_by_genius
from sync.reviews import waiting_records

DEAL_PROPERTIES = ("pipeline", "dealstage", "deal_currency_code", "hs_lastmodifieddate")
STREAMS = ("hubspot.deals", "hubspot.companies", "genius.quotes", "genius.customers")
DEAL_REFERENCE_PREFIX = "HS-DEAL-"


@dataclass
class ChangeSet:
    """Records changed since the cursors, and the newest time seen per stream."""

    deals: dict[str, dict[str, Any]] = field(default_factory=dict)
    companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    quotes: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    newest: dict[str, datetime] = field(default_factory=dict)

    def saw(self, stream: str, moment: datetime | None) -> None:
        if moment is not None and (
            stream not in self.newest or moment > self.newest[stream]
        ):
            self.newest[stream] = moment


def deal_properties(scope: RunScope) -> list[str]:
    return sorted({*scope.mapping.pair("deal").hubspot_properties, *DEAL_PROPERTIES})


async def read_changes(scope: RunScope, company_properties: list[str]) -> ChangeSet:
    """Everything modified since each stream's cursor (minus its overlap)."""
    with session_scope() as session:
        since = {s: cursors.read_from(session, scope.tenant_id, s) for s in STREAMS}
    changes = ChangeSet()

    async for deal in scope.hubspot.iter_modified(
        "deals", since["hubspot.deals"], properties=deal_properties(scope)
    ):
        changes.deals[str(deal["id"])] = deal
        changes.saw("hubspot.deals", hubspot_modified(deal))
    async for company in scope.hubspot.iter_modified(
        "companies", since["hubspot.companies"], properties=company_properties
    ):
        changes.companies[str(company["id"])] = company
        changes.saw("hubspot.companies", hubspot_modified(company))
    async for quote in scope.genius.iter_quotes(since["genius.quotes"]):
        changes.quotes[quote["Number"]] = quote
        changes.saw("genius.quotes", scope.genius_modified(quote))
    async for customer in scope.genius.iter_customers(since["genius.customers"]):
        changes.customers[customer["Code"]] = customer
        changes.saw("genius.customers", scope.genius_modified(customer))
    return changes


def deals_to_sync(scope: RunScope, changes: ChangeSet) -> list[str]:
    """Changed deals, deals of changed quotes, and deals waiting from earlier runs."""
    with session_scope() as session:
        quote_links = links_by_genius(
            session, scope.tenant_id, LinkKind.DEAL, changes.quotes.keys()
        )
        waiting = waiting_records(session, scope.tenant_id, "deal")
    ids = list(changes.deals)
    for number, quote in changes.quotes.items():
        if number in quote_links:
            ids.append(quote_links[number].hubspot_id)
            continue
        # A quote we made whose link was never saved (the run stopped).
        reference = str(quote.get("ExternalReference") or "")
        if reference.startswith(DEAL_REFERENCE_PREFIX):
            ids.append(reference.removeprefix(DEAL_REFERENCE_PREFIX))
    ids.extend(waiting)
    return list(dict.fromkeys(ids))


def advance_cursors(scope: RunScope, changes: ChangeSet) -> None:
    with session_scope() as session:
        for stream, moment in changes.newest.items():
            cursors.advance(session, scope.tenant_id, stream, moment)
