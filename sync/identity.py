"""Who is who: matching HubSpot companies with Genius customers.

The two systems share no customer id. A company is matched, in this order,
by an existing link, by the reference of a customer we created for it, by
the Genius customer code stored on the company, by
its normalised web domain, then by its normalised name (accents, case,
punctuation and legal suffixes such as "Inc." or "Ltée" set aside). One
candidate is a match; several are held for a person, never guessed; none
means a new customer whose code is written back to the company.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# Legal forms that say nothing about who a company is, in English and French.
LEGAL_SUFFIXES = frozenset(
    {
        *("inc", "incorporated", "incorporee", "corp", "corporation", "co"),
        *("company", "cie", "compagnie", "ltd", "limited", "ltee", "limitee"),
        *("llc", "lp", "llp", "plc", "enr", "enregistree", "senc", "sencrl"),
        *("srl", "sa", "sas", "sarl", "gmbh", "ulc"),
    }
)
CODE_MAX_LENGTH = 10
COMPANY_REFERENCE = "HS-COMPANY-{}"
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise_name(name: str | None) -> str:
    """`Les Aciers Lévis Ltée.` -> `les aciers levis`."""
    if not name:
        return ""
    words = _NON_ALNUM.split(strip_accents(name).lower().replace("&", " and "))
    kept = [word for word in words if word]
    while len(kept) > 1 and kept[-1] in LEGAL_SUFFIXES:
        kept.pop()
    return " ".join(kept)


def normalise_domain(value: str | None) -> str:
    """`https://WWW.Acier-Levis.ca/contact` or `ventes@acier-levis.ca` -> the host."""
    if not value:
        return ""
    text = value.strip().lower()
    if "@" in text and "/" not in text:
        text = text.rsplit("@", 1)[1]
    if "://" not in text:
        text = "//" + text
    host = urlsplit(text).hostname or ""
    host = host.removeprefix("www.")
    return host if "." in host else ""


@dataclass(frozen=True)
class Company:
    """What matching needs of a HubSpot company."""

    hubspot_id: str
    name: str = ""
    domain: str = ""
    website: str = ""
    customer_code: str = ""  # the app's genius_customer_code property


@dataclass
class Match:
    """The outcome for one company: a code, several candidates, or nothing."""

    code: str = ""
    rule: str = ""  # link | reference | customer_code | domain | name
    candidates: list[str] = field(default_factory=list)

    @property
    def is_ambiguous(self) -> bool:
        return not self.code and len(self.candidates) > 1


class CustomerIndex:
    """The Genius customers of a tenant, indexed for matching."""

    def __init__(self, customers: Iterable[Mapping[str, Any]]) -> None:
        self.codes: set[str] = set()
        self.by_reference: dict[str, str] = {}
        self.by_domain: dict[str, set[str]] = defaultdict(set)
        self.by_name: dict[str, set[str]] = defaultdict(set)
        for customer in customers:
            self.add(customer)

    def add(self, customer: Mapping[str, Any]) -> None:
        code = str(customer.get("Code") or "")
        if not code:
            return
        self.codes.add(code)
        if reference := str(customer.get("ExternalReference") or ""):
            self.by_reference[reference] = code
        for value in (customer.get("Website"), customer.get("Email")):
            if domain := normalise_domain(value):
                self.by_domain[domain].add(code)
        if name := normalise_name(customer.get("Name")):
            self.by_name[name].add(code)

    def match(self, company: Company, linked_code: str = "") -> Match:
        if linked_code:
            return Match(code=linked_code, rule="link")
        # A customer we created for this company earlier (a run that stopped
        # before writing the link) carries the company's id in its reference.
        reference = COMPANY_REFERENCE.format(company.hubspot_id)
        if reference in self.by_reference:
            return Match(code=self.by_reference[reference], rule="reference")
        code = company.customer_code.strip().upper()
        if code and code in self.codes:
            return Match(code=code, rule="customer_code")
        for rule, key, table in (
            ("domain", _company_domain(company), self.by_domain),
            ("name", normalise_name(company.name), self.by_name),
        ):
            found = sorted(table.get(key, ())) if key else []
            if len(found) == 1:
                return Match(code=found[0], rule=rule)
            if len(found) > 1:
                return Match(rule=rule, candidates=found)
        return Match()

    def new_code(self, name: str) -> str:
        """A free customer code made from the name: upper-case letters and digits."""
        letters = _NON_ALNUM.sub("", strip_accents(normalise_name(name)).lower())
        stem = (letters.upper() or "CLIENT")[:CODE_MAX_LENGTH]
        if stem not in self.codes:
            return stem
        for number in range(2, 10**6):
            suffix = str(number)
            candidate = stem[: CODE_MAX_LENGTH - len(suffix)] + suffix
            if candidate not in self.codes:
                return candidate
        raise RuntimeError(f"no free customer code left for {name!r}")


def _company_domain(company: Company) -> str:
    return normalise_domain(company.domain) or normalise_domain(company.website)
