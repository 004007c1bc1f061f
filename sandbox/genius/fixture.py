"""Loading a fixture (or a saved state) into the sandbox.

The format is documented in `sandbox/genius/README.md`. Every record goes
through the same rules as the API (`records.py`), so a fixture the sandbox
accepts holds only data a real Genius could hold. Totals and line totals
are always recomputed; `Number` and `ModifiedAt` are kept when given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.genius import jsonio
from sandbox.genius.records import (
    Rejection,
    build_customer,
    build_item,
    build_quote,
)
from sandbox.genius.state import LOCAL_FORMAT, Clock, Company, SandboxState

COMPANY_CODE = re.compile(r"^[A-Z0-9_]{1,20}$")


class FixtureError(ValueError):
    """A fixture that cannot be loaded; the message names the place and the fix."""


def read_fixture(path: Path) -> dict[str, Any]:
    try:
        document = jsonio.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise FixtureError(f"{path}: not JSON ({exc})") from None
    if not isinstance(document, dict):
        raise FixtureError(f"{path}: the fixture must be a JSON object")
    return document


def load_state(document: dict[str, Any]) -> SandboxState:
    """A new sandbox state holding everything the fixture describes."""
    clock = Clock(float(document.get("clock_offset_s", 0)))
    state = SandboxState(
        clock=clock, pending=list(document.get("pending_deliveries", []))
    )
    for index, raw in enumerate(_list(document, "companies", "fixture")):
        company = load_company(raw, clock, where=f"companies[{index}]")
        if company.code in state.companies:
            raise FixtureError(f"companies[{index}]: company {company.code!r} twice")
        state.companies[company.code] = company
    return state


def load_company(raw: Any, clock: Clock, *, where: str) -> Company:
    """One company of a fixture with its items, customers and quotes."""
    if not isinstance(raw, dict):
        raise FixtureError(f"{where}: a company is a JSON object")
    company = _company_settings(raw, where)
    now_text = company.now_text(clock)

    defaults = {"Currency": company.currency, "Language": company.language}

    for index, fields in enumerate(_list(raw, "items", where)):
        item = _build(f"{where}.items[{index}]", build_item, fields, now_text=now_text)
        company.items[item["Code"]] = item

    for index, fields in enumerate(_list(raw, "customers", where)):
        customer = _build(
            f"{where}.customers[{index}]",
            build_customer,
            fields,
            taken=set(company.customers),
            defaults=defaults,
            now_text=now_text,
            lenient=True,
        )
        company.customers[customer["Code"]] = customer

    for index, fields in enumerate(_list(raw, "quotes", where)):
        place = f"{where}.quotes[{index}]"
        if not isinstance(fields, dict):
            raise FixtureError(f"{place}: a record is a JSON object")
        number = fields.get("Number")
        if number in company.quotes:
            raise FixtureError(f"{place}: number {number!r} twice")
        quote = _build(
            place,
            build_quote,
            {key: value for key, value in fields.items() if key != "Number"},
            customers=company.customers,
            items=company.items,
            number=number or company.take_quote_number(),
            today=company.today(clock),
            now_text=now_text,
            lenient=True,
        )
        company.quotes[quote["Number"]] = quote
    return company


def _company_settings(raw: dict[str, Any], where: str) -> Company:
    code = str(raw.get("code", "")).upper()
    if not COMPANY_CODE.match(code):
        raise FixtureError(f"{where}.code: {code!r} is not 1-20 letters, digits or _")
    timezone = raw.get("timezone", "America/Toronto")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise FixtureError(f"{where}.timezone: {timezone!r} is no IANA zone") from None
    keys = raw.get("api_keys", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
        raise FixtureError(f"{where}.api_keys: give a list of non-empty strings")
    currency = raw.get("currency", "CAD")
    language = raw.get("language", "FR")
    if currency not in ("CAD", "USD") or language not in ("FR", "EN"):
        raise FixtureError(f"{where}: currency CAD|USD and language FR|EN only")
    return Company(
        code=code,
        name=str(raw.get("name") or code),
        timezone=timezone,
        currency=currency,
        language=language,
        api_keys=list(keys),
        next_quote_number=int(raw.get("next_quote_number", 1)),
        webhook=raw.get("webhook"),
    )


def _list(document: dict[str, Any], key: str, where: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise FixtureError(f"{where}.{key}: expected a list")
    return value


def _build(
    where: str, make: Callable[..., dict[str, Any]], fields: Any, **options: Any
) -> dict[str, Any]:
    if not isinstance(fields, dict):
        raise FixtureError(f"{where}: a record is a JSON object")
    modified = fields.get("ModifiedAt")
    if modified is not None:
        try:
            datetime.strptime(modified, LOCAL_FORMAT)
        except (TypeError, ValueError):
            raise FixtureError(
                f"{where}.ModifiedAt: {modified!r} is not 'YYYY-MM-DD HH:MM:SS'"
            ) from None
    try:
        return make(fields, **options)
    except Rejection as exc:
        details = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors)
        raise FixtureError(f"{where}: {details}") from None
