"""The sandbox's memory: companies with their records, the clock, the webhooks.

Records are kept exactly as Genius returns them (PascalCase keys, Decimal
numbers, `ModifiedAt` as local wall-clock text), so sorting and filtering
on `ModifiedAt` compare local text the way the ERP's database does, the
autumn repeated hour included.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.genius import jsonio

LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"


def key_id(api_key: str) -> str:
    """The id Genius shows for an API key and writes in `ChangedBy`.

    Derived from the key, one way, so the holder of a key can recognise its
    own changes without another setting, and the id reveals nothing of it.
    """
    return "K-" + hashlib.sha256(api_key.encode()).hexdigest()[:16]


@dataclass
class Clock:
    """Real time moved by `offset_s`, so a test can stand in the autumn hour."""

    offset_s: float = 0.0

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset_s)

    def set_now(self, moment: datetime) -> None:
        self.offset_s = (moment - datetime.now(UTC)).total_seconds()


@dataclass
class Company:
    """One Genius company (database): its settings, keys and records."""

    code: str
    name: str
    timezone: str = "America/Toronto"
    currency: str = "CAD"
    language: str = "FR"
    api_keys: list[str] = field(default_factory=list)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    quotes: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_quote_number: int = 1
    webhook: dict[str, Any] | None = None

    def local_now(self, clock: Clock) -> datetime:
        return clock.now().astimezone(ZoneInfo(self.timezone))

    def now_text(self, clock: Clock) -> str:
        return self.local_now(clock).strftime(LOCAL_FORMAT)

    def today(self, clock: Clock) -> date:
        return self.local_now(clock).date()

    def take_quote_number(self) -> str:
        number = f"S-{self.next_quote_number:06d}"
        while number in self.quotes:
            self.next_quote_number += 1
            number = f"S-{self.next_quote_number:06d}"
        self.next_quote_number += 1
        return number

    def describe(self) -> dict[str, Any]:
        return {
            "Code": self.code,
            "Name": self.name,
            "TimeZone": self.timezone,
            "Currency": self.currency,
            "Language": self.language,
        }

    def to_document(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "timezone": self.timezone,
            "currency": self.currency,
            "language": self.language,
            "api_keys": list(self.api_keys),
            "next_quote_number": self.next_quote_number,
            "webhook": self.webhook,
            "customers": list(self.customers.values()),
            "items": list(self.items.values()),
            "quotes": list(self.quotes.values()),
        }


@dataclass
class SandboxState:
    """Everything the sandbox knows; `to_document()` is a loadable fixture."""

    companies: dict[str, Company] = field(default_factory=dict)
    clock: Clock = field(default_factory=Clock)
    # Webhook deliveries still to make, kept so a restart still delivers them.
    pending: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    dirty: bool = False

    def access(self, api_key: str, company_code: str) -> tuple[int, Company | None]:
        """HTTP status of a key used on a company: 200 with it, 401 or 403."""
        allowed = [c for c in self.companies.values() if api_key in c.api_keys]
        if not api_key or not allowed:
            return 401, None
        company = self.companies.get(company_code.upper())
        if company is None or company not in allowed:
            return 403, None
        return 200, company

    def to_document(self) -> dict[str, Any]:
        return {
            "companies": [c.to_document() for c in self.companies.values()],
            "clock_offset_s": self.clock.offset_s,
            "pending_deliveries": list(self.pending),
        }

    def save(self, path: Path) -> None:
        """Write the state atomically: a crash never leaves half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(jsonio.dumps(self.to_document()))
        os.replace(temporary, path)
        self.dirty = False
