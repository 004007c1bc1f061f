"""The ERP's rules for customers, items and quotes: validation, totals, locks.

Every write of the API and every record of a fixture goes through here. A
broken rule raises `Rejection` with the HTTP status Genius answers (422 for
data that is invalid in itself, 409 for a rule about the record's state)
and the list of problems, one per field.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.genius.metadata import (
    ACCEPTED_STATUS,
    CUSTOMER_FIELDS,
    FINAL_STATUS,
    ITEM_FIELDS,
    LINE_FIELDS,
    QUOTE_FIELDS,
)
from sandbox.genius.validation import (
    Rejection,
    blank_record,
    check_fields,
    ordered,
    problem,
    raise_if,
)

CENT = Decimal("0.01")
# Sales taxes by province (GST/HST plus provincial), simplified to one rate.
TAX_PERCENT = {
    "AB": "5",
    "BC": "12",
    "MB": "12",
    "NB": "15",
    "NL": "15",
    "NS": "14",
    "NT": "5",
    "NU": "5",
    "ON": "13",
    "PE": "15",
    "QC": "14.975",
    "SK": "11",
    "YT": "5",
}
EXPIRY_DAYS = 30


def derive_code(name: str, taken: set[str]) -> str:
    """A free customer code made of the name's first letters and a counter."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Z0-9]", "", plain.upper())[:6] or "CLIENT"
    if base not in taken:
        return base
    counter = 1
    while f"{base}{counter}" in taken:
        counter += 1
    return f"{base}{counter}"


def build_item(fields: dict[str, Any], *, now_text: str) -> dict[str, Any]:
    cleaned, errors = check_fields(ITEM_FIELDS, fields, creating=True, lenient=True)
    if not cleaned.get("Code"):
        errors.append(problem("Code", "required", "Code is required"))
    raise_if(errors)
    item = blank_record(ITEM_FIELDS) | {"UnitPrice": Decimal("0.0000"), "Active": True}
    item.update(cleaned)
    item["ModifiedAt"] = fields.get("ModifiedAt") or now_text
    return ordered(ITEM_FIELDS, item)


def build_customer(
    fields: dict[str, Any],
    *,
    taken: set[str],
    defaults: dict[str, str],
    now_text: str,
    lenient: bool = False,
) -> dict[str, Any]:
    """A new customer; 422 for invalid data, 409 when its code is taken."""
    cleaned, errors = check_fields(
        CUSTOMER_FIELDS, fields, creating=True, lenient=lenient
    )
    raise_if(errors)
    code = cleaned.get("Code") or derive_code(cleaned["Name"], taken)
    if code in taken:
        raise Rejection(
            409,
            [
                problem(
                    "Code",
                    "duplicate_code",
                    f"customer code {code!r} is already used by another customer; "
                    "choose another code or update that customer",
                )
            ],
        )
    customer = blank_record(CUSTOMER_FIELDS) | {"Country": "CA"} | defaults
    customer.update({key: value for key, value in cleaned.items() if value != ""})
    customer["Code"] = code
    customer["ModifiedAt"] = (lenient and fields.get("ModifiedAt")) or now_text
    return ordered(CUSTOMER_FIELDS, customer)


def change_customer(
    customer: dict[str, Any], changes: dict[str, Any], *, now_text: str
) -> bool:
    """Apply a partial update in place; True when a value changed."""
    cleaned, errors = check_fields(CUSTOMER_FIELDS, changes, creating=False)
    if "Code" in cleaned and cleaned["Code"] != customer["Code"]:
        errors.append(
            problem(
                "Code",
                "read_only",
                "the code of a customer cannot change; create a new customer instead",
            )
        )
    if cleaned.get("Name", "x") == "":
        errors.append(problem("Name", "required", "Name cannot be empty"))
    raise_if(errors)
    return _apply(customer, cleaned, now_text)


def _apply(record: dict[str, Any], cleaned: dict[str, Any], now_text: str) -> bool:
    changed = {k: v for k, v in cleaned.items() if record.get(k) != v}
    if changed:
        record.update(changed)
        record["ModifiedAt"] = now_text
    return bool(changed)


def build_lines(
    lines: list[Any], *, items: dict[str, dict[str, Any]], language: str
) -> list[dict[str, Any]]:
    """Quote lines in stored form with their totals; 422 lists every problem."""
    built: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    for index, raw in enumerate(lines):
        prefix = f"Lines[{index}]."
        if not isinstance(raw, dict):
            errors.append(problem(prefix[:-1], "invalid_type", "a line is an object"))
            continue
        cleaned, line_errors = check_fields(
            LINE_FIELDS, raw, creating=True, prefix=prefix
        )
        line_errors += _complete_line(cleaned, items, language, prefix)
        errors += line_errors
        built.append(cleaned)
    _number_lines(built, errors)
    raise_if(errors)
    for line in built:
        line["LineTotal"] = line_total(line)
    built.sort(key=lambda line: line["LineNumber"])
    return [ordered(LINE_FIELDS, line) for line in built]


def _complete_line(
    line: dict[str, Any],
    items: dict[str, dict[str, Any]],
    language: str,
    prefix: str,
) -> list[dict[str, str]]:
    errors = []
    code = line.get("ItemCode", "")
    item = items.get(code) if code else None
    if code and item is None:
        errors.append(
            problem(prefix + "ItemCode", "unknown_item", f"no item with code {code!r}")
        )
    elif item is not None and not item["Active"]:
        errors.append(
            problem(
                prefix + "ItemCode",
                "inactive_item",
                f"item {code!r} is inactive; reactivate it or pick another item",
            )
        )
    if item is not None:
        description = item["DescriptionFr" if language == "FR" else "DescriptionEn"]
        line.setdefault("UnitPrice", item["UnitPrice"])
        if not line.get("Description"):
            line["Description"] = description
    for name in ("Description", "UnitPrice", "Quantity"):
        if line.get(name) in (None, ""):
            errors.append(problem(prefix + name, "required", f"{name} is required"))
    line.setdefault("ItemCode", "")
    line.setdefault("DiscountPercent", Decimal("0.00"))
    return errors


def _number_lines(lines: list[dict[str, Any]], errors: list[dict[str, str]]) -> None:
    used = [line["LineNumber"] for line in lines if "LineNumber" in line]
    duplicates = sorted({number for number in used if used.count(number) > 1})
    for number in duplicates:
        errors.append(
            problem(
                "Lines", "duplicate_line_number", f"line number {number} is used twice"
            )
        )
    next_number = max(used, default=0) + 1
    for line in lines:
        if "LineNumber" not in line:
            line["LineNumber"] = next_number
            next_number += 1


def line_total(line: dict[str, Any]) -> Decimal:
    gross = line["Quantity"] * line["UnitPrice"]
    net = gross * (Decimal(100) - line["DiscountPercent"]) / Decimal(100)
    return net.quantize(CENT, rounding=ROUND_HALF_UP)


def quote_totals(
    lines: list[dict[str, Any]], customer: dict[str, Any] | None
) -> tuple[Decimal, Decimal]:
    """Subtotal and total with sales taxes of the customer's province."""
    subtotal = sum((line["LineTotal"] for line in lines), Decimal("0.00"))
    rate = Decimal(0)
    if customer is not None and customer.get("Country", "CA") == "CA":
        rate = Decimal(TAX_PERCENT.get(customer.get("Province", ""), "0"))
    tax = (subtotal * rate / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return subtotal.quantize(CENT), (subtotal + tax).quantize(CENT)


def default_dates(quote: dict[str, Any], today: date) -> list[dict[str, str]]:
    quote["QuoteDate"] = quote.get("QuoteDate") or today.isoformat()
    if not quote.get("ExpiryDate"):
        start = date.fromisoformat(quote["QuoteDate"])
        quote["ExpiryDate"] = (start + timedelta(days=EXPIRY_DAYS)).isoformat()
    if quote["ExpiryDate"] < quote["QuoteDate"]:
        return [
            problem(
                "ExpiryDate",
                "invalid_range",
                f"ExpiryDate {quote['ExpiryDate']} is before QuoteDate "
                f"{quote['QuoteDate']}",
            )
        ]
    return []


def check_quote_write(existing: dict[str, Any] | None, cleaned: dict[str, Any]) -> None:
    """The 409 rules of a quote's status."""
    status = existing["Status"] if existing else None
    number = existing["Number"] if existing else "new"
    changed = [
        name for name in cleaned if existing is None or cleaned[name] != existing[name]
    ]
    if status == FINAL_STATUS and changed:
        message = f"quote {number} is converted to an order and cannot change"
        raise Rejection(409, [problem("Status", "quote_converted", message)])

    target = cleaned.get("Status", status)
    if target == FINAL_STATUS and status not in (ACCEPTED_STATUS, FINAL_STATUS):
        message = "only an accepted quote (status 30) can become an order (60)"
        raise Rejection(409, [problem("Status", "status_rule", message)])

    if status == ACCEPTED_STATUS:
        locked = [n for n in ("Lines", "CustomerCode", "Currency") if n in changed]
        message = "{} of accepted quote {} cannot change; set Status to 20 first"
        errors = [
            problem(name, "quote_accepted", message.format(name, number))
            for name in locked
        ]
        raise_if(errors, status=409)


def build_quote(
    fields: dict[str, Any],
    *,
    customers: dict[str, dict[str, Any]],
    items: dict[str, dict[str, Any]],
    number: str,
    today: date,
    now_text: str,
    lenient: bool = False,
) -> dict[str, Any]:
    """A new quote numbered `number`, its lines and totals computed."""
    cleaned, errors = check_fields(QUOTE_FIELDS, fields, creating=True, lenient=lenient)
    customer = customers.get(cleaned.get("CustomerCode", ""))
    if cleaned.get("CustomerCode") and customer is None:
        errors.append(_unknown_customer(cleaned["CustomerCode"]))
    quote = blank_record(QUOTE_FIELDS) | {"Status": 10}
    quote.update({key: value for key, value in cleaned.items() if value != ""})
    errors += default_dates(quote, today)
    language = customer["Language"] if customer else "FR"
    try:
        quote["Lines"] = build_lines(
            cleaned.get("Lines", []), items=items, language=language
        )
    except Rejection as exc:
        errors += exc.errors
    raise_if(errors)
    if not lenient:
        check_quote_write(None, cleaned)

    quote["Number"] = number
    quote["Currency"] = quote["Currency"] or customer["Currency"]
    quote["Subtotal"], quote["Total"] = quote_totals(quote["Lines"], customer)
    quote["ModifiedAt"] = (lenient and fields.get("ModifiedAt")) or now_text
    return ordered(QUOTE_FIELDS, quote)


def change_quote(
    quote: dict[str, Any],
    changes: dict[str, Any],
    *,
    customers: dict[str, dict[str, Any]],
    items: dict[str, dict[str, Any]],
    today: date,
    now_text: str,
) -> bool:
    """Apply a partial update in place; `Lines` replaces every line."""
    cleaned, errors = check_fields(QUOTE_FIELDS, changes, creating=False)
    cleaned.pop("Number", None)
    code = cleaned.get("CustomerCode", quote["CustomerCode"])
    customer = customers.get(code)
    if customer is None:
        errors.append(_unknown_customer(code))
    raise_if(errors)
    if "Lines" in cleaned:
        cleaned["Lines"] = build_lines(
            cleaned["Lines"], items=items, language=customer["Language"]
        )
    check_quote_write(quote, cleaned)

    merged = quote | cleaned
    raise_if(default_dates(merged, today))
    merged["Subtotal"], merged["Total"] = quote_totals(merged["Lines"], customer)
    return _apply(
        quote, {k: v for k, v in merged.items() if k != "ModifiedAt"}, now_text
    )


def _unknown_customer(code: str) -> dict[str, str]:
    return problem(
        "CustomerCode",
        "unknown_customer",
        f"no customer with code {code!r}; create the customer first",
    )
