"""Records per second through read -> merge -> write, and peak memory.

A 25-field deal <-> quote mapping (the preset's nine fields plus sixteen
custom ones of every type) is compiled once; synthetic records are made from
a template in batches of 1,000, outside the timed sections, so memory must
not grow with their number: 80 % unchanged since the snapshot, 10 % changed
in HubSpot, 5 % changed in Genius, 5 % changed on both sides (a conflict).

The target is on the CPU time of the process (one core): the development
machine is shared, and wall time includes waiting for it. Wall time is
reported beside it, with a reference loop showing how fast the machine ran
plain Python during the run.

    python -m bench.bench_mapping
"""

from __future__ import annotations

import gc
import time
import timeit
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from bench.report import Figure, record
from mapping.compiler import CompiledPair, compile_mapping
from mapping.document import load_mapping
from mapping.merge import Side
from mapping.presets import default_mapping

RECORDS = 100_000
BATCH = 1_000
MEMORY_SIZES = (10_000, 100_000)
TARGET_RATE = 50_000
HUBSPOT_AT = datetime(2024, 6, 3, 14, 0, tzinfo=UTC)
GENIUS_AT = datetime(2024, 6, 3, 13, 0, tzinfo=UTC)
PAIRS = {
    "payment_terms": ["NET30", "NET60", "COD"],
    "incoterm": ["EXW", "FCA", "DAP", "DDP"],
    "priority": ["LOW", "NORMAL", "HIGH"],
    "certifications": ["ISO9001", "CSA", "UL"],
}


def custom_fields() -> list[dict[str, Any]]:
    """Sixteen tenant-defined fields, so the deal pair has 25."""

    def field(name: str, kind: str, **extra: Any) -> dict[str, Any]:
        genius = "".join(part.title() for part in name.split("_"))
        return {"name": name, "hubspot": name, "genius": genius, "type": kind, **extra}

    def enum(name: str, kind: str = "enum") -> dict[str, Any]:
        pairs = [{"hubspot": v.lower(), "genius": v} for v in PAIRS[name]]
        return field(name, kind, options={"pairs": pairs})

    return [
        field("po_number", "string", options={"max_length": 30}),
        field("sales_rep", "string", options={"case": "upper"}),
        field("project_name", "string"),
        field("contact_name", "string"),
        field("discount_total", "number", options={"scale": 2}),
        field("weight_kg", "number", options={"scale": 3}),
        field("margin_pct", "number", options={"scale": 2, "text_format": "fr-CA"}),
        field("lead_time_days", "number", options={"scale": 0}),
        field("ship_date", "date"),
        field("decision_date", "date", hubspot_type="datetime"),
        field("last_contacted", "datetime"),
        enum("payment_terms"),
        enum("incoterm"),
        enum("priority"),
        field("rush_order", "bool"),
        enum("certifications", "multi_enum"),
    ]


def compile_deal() -> CompiledPair:
    document = default_mapping()
    document["pairs"]["deal"]["fields"] += custom_fields()
    compiled = compile_mapping(
        load_mapping(document), genius_timezone="America/Toronto"
    )
    return compiled.pair("deal")


TEMPLATE_HUBSPOT = {
    "dealname": "Order",
    "description": "Two pallets, delivery at the back door",
    "closedate": "2024-07-15T16:00:00.000Z",
    "deal_currency_code": "CAD",
    "pipeline": "default",
    "dealstage": "presentationscheduled",
    "genius_quote_number": "S-000123",
    "genius_quote_status": "sent",
    "genius_quote_total": "12345.60",
    "genius_quote_date": "1717200000000",
    "po_number": "PO-88812",
    "sales_rep": "JTREMBLAY",
    "project_name": "Warehouse racks",
    "contact_name": "Julie Tremblay",
    "discount_total": "150.00",
    "weight_kg": "1250.500",
    "margin_pct": "18,50",
    "lead_time_days": "21",
    "ship_date": "1720396800000",
    "decision_date": "2024-07-01T16:00:00.000Z",
    "last_contacted": "2024-06-01T13:30:00.000Z",
    "payment_terms": "net30",
    "incoterm": "fca",
    "priority": "high",
    "rush_order": "false",
    "certifications": "csa;iso9001",
}
TEMPLATE_GENIUS = {
    "Number": "S-000123",
    "CustomerCode": "ACME01",
    "Title": "Order",
    "Status": 20,
    "QuoteDate": "2024-06-01",
    "ExpiryDate": "2024-07-15",
    "Currency": "CAD",
    "Notes": "Two pallets, delivery at the back door",
    "Total": Decimal("12345.6000"),
    "PoNumber": "PO-88812",
    "SalesRep": "JTREMBLAY",
    "ProjectName": "Warehouse racks",
    "ContactName": "Julie Tremblay",
    "DiscountTotal": Decimal("150.0000"),
    "WeightKg": Decimal("1250.5000"),
    "MarginPct": Decimal("18.5000"),
    "LeadTimeDays": 21,
    "ShipDate": "2024-07-08",
    "DecisionDate": "2024-07-01",
    "LastContacted": "2024-06-01 09:30:00",
    "PaymentTerms": "NET30",
    "Incoterm": "FCA",
    "Priority": "HIGH",
    "RushOrder": False,
    "Certifications": ["CSA", "ISO9001"],
    "ModifiedAt": "2024-06-03 09:00:00",
}


def template_snapshot(deal: CompiledPair) -> dict[str, Any]:
    plan = deal.merge(
        None,
        deal.read_hubspot(TEMPLATE_HUBSPOT).side(modified_at=HUBSPOT_AT),
        deal.read_genius(TEMPLATE_GENIUS).side(modified_at=GENIUS_AT),
    )
    assert plan.is_empty, plan
    return plan.snapshot


def synthetic_records(
    deal: CompiledPair, count: int, snapshot: dict[str, Any]
) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any], list[Any]]]:
    """One (HubSpot properties, Genius record, snapshot, raw inputs) at a time.

    The raw inputs are those the engine kept when both sides last agreed,
    taken before this record's changes are applied.
    """
    for index in range(count):
        title = f"Order {index}"
        hubspot = {**TEMPLATE_HUBSPOT, "dealname": title}
        genius = {**TEMPLATE_GENIUS, "Title": title}
        stored = {**snapshot, "title": title}
        agreed = deal.raw_inputs(hubspot, genius)
        kind = index % 20
        if kind in (16, 17):
            hubspot["description"] = f"Call before delivery ({index})"
            hubspot["weight_kg"] = f"{1000 + index % 500}.250"
        elif kind == 18:
            genius["Status"] = 30
            genius["Total"] = Decimal(index) / 4
        elif kind == 19:
            hubspot["description"] = "Leave at the front"
            genius["Notes"] = "Leave at the back"
        yield hubspot, genius, stored, agreed


@dataclass
class Timing:
    records: int = 0
    written: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0


def run(
    deal: CompiledPair, count: int, snapshot: dict[str, Any], *, skip: bool = True
) -> Timing:
    """Read, merge and plan the writes of `count` records, timing the engine.

    As the sync engine does, a record whose raw inputs equal those kept at
    the last agreement is not read again (`skip=False` times the full path
    for every record).
    """
    timing = Timing()
    records = synthetic_records(deal, count, snapshot)
    while batch := list(islice(records, BATCH)):
        cpu, wall = time.process_time(), time.perf_counter()
        for hubspot_raw, genius_raw, stored, agreed in batch:
            if skip:
                plan, _raw = deal.plan_from_raw(
                    stored,
                    agreed,
                    hubspot_raw,
                    genius_raw,
                    hubspot_at=HUBSPOT_AT,
                    genius_at=GENIUS_AT,
                )
                if plan is not None:
                    timing.written += len(plan.to_genius) + len(plan.to_hubspot)
                continue
            hubspot = deal.read_hubspot(hubspot_raw)
            genius = deal.read_genius(genius_raw)
            plan = deal.merge(
                stored,
                Side(hubspot.values, HUBSPOT_AT, None, hubspot.context, hubspot.errors),
                Side(genius.values, GENIUS_AT, None, genius.context, genius.errors),
            )
            timing.written += len(plan.to_genius) + len(plan.to_hubspot)
        timing.cpu_s += time.process_time() - cpu
        timing.wall_s += time.perf_counter() - wall
        timing.records += len(batch)
    return timing


def reference_loop_us() -> float:
    """How fast this machine runs plain Python right now (best of 7)."""
    runs = timeit.repeat("sum(range(1000))", number=1000, repeat=7)
    return min(runs) / 1000 * 1e6


def measure_peak_kib(deal: CompiledPair, snapshot: dict[str, Any], count: int) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        run(deal, count, snapshot)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024


def main() -> None:
    deal = compile_deal()
    assert len(deal.fields) == 25, len(deal.fields)
    snapshot = template_snapshot(deal)
    run(deal, 5_000, snapshot)  # warm up
    before = reference_loop_us()
    timing = run(deal, RECORDS, snapshot)
    full = run(deal, RECORDS // 4, snapshot, skip=False)
    reference = (before + reference_loop_us()) / 2
    assert timing.written > 0
    cpu_rate = timing.records / timing.cpu_s
    wall_rate = timing.records / timing.wall_s
    full_rate = full.records / full.cpu_s
    small, large = (measure_peak_kib(deal, snapshot, n) for n in MEMORY_SIZES)
    growth = large / small
    record(
        "mapping",
        [
            Figure(
                "records/s read->merge->write, 25-field deal<->quote, CPU of 1 core",
                cpu_rate,
                "records/s",
                f">= {TARGET_RATE}",
                cpu_rate >= TARGET_RATE,
            ),
            Figure(
                "records/s by the wall clock (shared machine)", wall_rate, "records/s"
            ),
            Figure(
                "records/s when every record is read and merged (no raw-input skip)",
                full_rate,
                "records/s",
            ),
            Figure("machine reference: sum(range(1000))", reference, "us"),
            Figure(f"peak traced memory, {MEMORY_SIZES[0]:,} records", small, "KiB"),
            Figure(f"peak traced memory, {MEMORY_SIZES[1]:,} records", large, "KiB"),
            Figure(
                "peak memory growth for 10x the records",
                growth,
                "x",
                "<= 1.2",
                growth <= 1.2,
            ),
        ],
    )


if __name__ == "__main__":
    main()
