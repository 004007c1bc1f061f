"""HubSpot companies and Genius customers: finding, creating and linking them.

A deal's quote needs its company's customer code. The code comes from the
company's link, else from identity matching (sync/identity.py), else from a
customer created now. Ambiguous matches are held for a person and the deals
of that company wait.
"""

from __future__ import annotations

from typing import Any

from store.db import session_scope
from store.models import LinkKind, ReviewKind
from sync.engine.scope import (
    RAW_KEY,
    RunScope,
    hubspot_modified,
    json_ready,
    present,
)
from sync.errors import RecordError, RecordRejected
from sync.identity import COMPANY_REFERENCE, Company, CustomerIndex
from sync.links import links_by_hubspot, save_link
from sync.reviews import hold, resolve_for_record

CODE_PROPERTY = "genius_customer_code"
IDENTITY_PROPERTIES = (
    "name",
    "domain",
    "website",
    CODE_PROPERTY,
    "hs_lastmodifieddate",
)


class CompanyHeld(RecordError):
    """The company matches several Genius customers; a person must choose."""


class CustomerLinker:
    """Gives each HubSpot company of a run its Genius customer code."""

    def __init__(self, scope: RunScope) -> None:
        self.scope = scope
        self.pair = scope.mapping.pair("company")
        self.index = CustomerIndex([])
        self.customers: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, str] = {}  # company id -> customer code, this run

    @property
    def properties(self) -> list[str]:
        return sorted({*self.pair.hubspot_properties, *IDENTITY_PROPERTIES})

    async def load_customers(self) -> None:
        async for customer in self.scope.genius.iter_customers():
            self.customers[customer["Code"]] = customer
            self.index.add(customer)

    async def code_for(self, company: dict[str, Any], *, currency: str) -> str:
        """The customer code of `company`, creating the customer when none matches."""
        company_id = str(company["id"])
        if company_id in self.codes:
            return self.codes[company_id]
        with session_scope() as session:
            link = links_by_hubspot(
                session, self.scope.tenant_id, LinkKind.COMPANY, [company_id]
            ).get(company_id)
        properties = company.get("properties") or {}
        match = self.index.match(
            Company(
                hubspot_id=company_id,
                name=properties.get("name") or "",
                domain=properties.get("domain") or "",
                website=properties.get("website") or "",
                customer_code=properties.get(CODE_PROPERTY) or "",
            ),
            link.genius_id if link else "",
        )
        if match.is_ambiguous:
            self._hold_ambiguous(company, match.rule, match.candidates)
        if match.code:
            code = match.code
            if link is None:
                await self._link(company, self.customers.get(code), code, match.rule)
        else:
            code = await self._create(company, currency)
        self.codes[company_id] = code
        return code

    def _hold_ambiguous(
        self, company: dict[str, Any], rule: str, codes: list[str]
    ) -> None:
        company_id = str(company["id"])
        name = (company.get("properties") or {}).get("name") or company_id
        summary = (
            f"Company {name!r} matches several Genius customers by {rule} "
            f"({', '.join(codes)}); choose one by writing its code in the company's "
            f"'{CODE_PROPERTY}' property, and its deals will sync."
        )
        with session_scope() as session:
            hold(
                session,
                self.scope.tenant_id,
                ReviewKind.IDENTITY,
                object_kind="company",
                hubspot_id=company_id,
                summary=summary,
                data={"candidates": codes, "rule": rule},
            )
        self.scope.recorder.event(
            "company.held",
            summary,
            level="warning",
            object_kind="company",
            hubspot_id=company_id,
            data={"candidates": codes},
        )
        raise CompanyHeld(
            summary, tenant_id=self.scope.tenant_id, hubspot_id=company_id
        )

    async def _create(self, company: dict[str, Any], currency: str) -> str:
        company_id = str(company["id"])
        reading = self.pair.read_hubspot(company.get("properties") or {})
        raise_required(reading.errors, "company", company_id)
        name = (company.get("properties") or {}).get("name") or ""
        fields = present(self.pair.write_genius(reading.values))
        fields["Code"] = self.index.new_code(name)
        fields.setdefault("Name", name[:60] or fields["Code"])
        fields.setdefault("Currency", currency or "CAD")
        fields.setdefault("Language", "FR")
        fields["ExternalReference"] = COMPANY_REFERENCE.format(company_id)

        customer = await self.scope.genius.create_customer(fields)
        self.customers[customer["Code"]] = customer
        self.index.add(customer)
        self.scope.recorder.count("customers_created")
        self.scope.recorder.event(
            "customer.created",
            f"Genius customer {customer['Code']} created for company {name!r}",
            object_kind="company",
            hubspot_id=company_id,
            genius_id=customer["Code"],
        )
        await self._link(company, customer, customer["Code"], "created")
        return customer["Code"]

    async def _link(
        self,
        company: dict[str, Any],
        customer: dict[str, Any] | None,
        code: str,
        rule: str,
    ) -> None:
        customer = customer or await self.scope.genius.get_customer(code) or {}
        await self.agree(company, customer, None)
        if rule != "created":
            self.scope.recorder.event(
                "company.linked",
                f"company {company['id']} linked to Genius customer {code} by {rule}",
                object_kind="company",
                hubspot_id=str(company["id"]),
                genius_id=code,
            )

    async def agree(
        self, company: dict[str, Any], customer: dict[str, Any], stored: dict | None
    ) -> bool:
        """Merge with the link's stored state (None: a new link), write both
        sides and save the link; True when anything was written."""
        company_id, code = str(company["id"]), customer["Code"]
        stored = stored or {}
        plan, raw = self.pair.plan_from_raw(
            stored.get("fields"),
            stored.get(RAW_KEY),
            company.get("properties") or {},
            customer,
            hubspot_at=hubspot_modified(company),
            genius_at=self.scope.genius_modified(customer),
        )
        if plan is None:
            return False
        raise_required(plan.errors, "company", company_id)
        for error in plan.errors:
            self.scope.recorder.event(
                "company.field_error",
                str(error.message),
                level="warning",
                object_kind="company",
                hubspot_id=company_id,
                genius_id=code,
            )
        if plan.to_genius:
            customer = await self.scope.genius.update_customer(code, plan.to_genius)
        changes = dict(plan.to_hubspot)
        if (company.get("properties") or {}).get(CODE_PROPERTY) != code:
            changes[CODE_PROPERTY] = code
        if changes:
            await self.scope.hubspot.update_object("companies", company_id, changes)
        with session_scope() as session:
            save_link(
                session,
                self.scope.tenant_id,
                LinkKind.COMPANY,
                hubspot_id=company_id,
                genius_id=code,
                snapshot={
                    "fields": plan.snapshot,
                    RAW_KEY: json_ready(raw) if plan.is_empty and not changes else None,
                },
                hubspot_modified_at=hubspot_modified(company),
                genius_modified_at=self.scope.genius_modified(customer),
            )
            resolve_for_record(
                session, self.scope.tenant_id, "company", company_id, by="sync"
            )
        return bool(plan.to_genius or plan.to_hubspot)


def raise_required(errors: list[Any], object_kind: str, hubspot_id: str) -> None:
    """A record with an error on a required field cannot be written at all."""
    blocking = [error for error in errors if getattr(error, "required", False)]
    if blocking:
        raise RecordRejected(
            "; ".join(str(getattr(error, "message", error)) for error in blocking),
            object_kind=object_kind,
            hubspot_id=hubspot_id,
        )
