"""Properties of the engine over generated values (hypothesis).

Every type round-trips through its canonical form on both sides; merging a
record with itself plans nothing; applying a plan and merging again plans
nothing; "newest wins" gives the same result whichever side is passed first.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.localtime import genius_to_utc, utc_to_genius
from mapping.merge import Side
from mapping.presets import QUOTE_STATUSES

TZ = "America/Toronto"
PAIRS = [{"hubspot": "a", "genius": "A"}, {"hubspot": "b", "genius": 2},
         {"hubspot": "c", "genius": "C", "label": "Sea"}]  # fmt: skip
KINDS: dict[str, tuple[dict[str, Any], st.SearchStrategy[Any]]] = {}


def kind(name: str, options: dict[str, Any], values: st.SearchStrategy[Any], **extra):
    KINDS[name] = ({"name": name, "hubspot": f"hs_{name}", "genius": f"G{name}",
                    "options": options, **extra}, values)  # fmt: skip


def whole_seconds_outside_the_repeated_hour(moment: datetime) -> bool:
    """The ERP's local text cannot tell the two autumn 01:30s apart."""
    return genius_to_utc(utc_to_genius(moment, TZ), TZ) == moment


texts = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1
)
kind("string", {}, texts.map(str.strip).filter(bool), type="string")
kind(
    "number",
    {"scale": 2},
    st.decimals(min_value=-(10**12), max_value=10**12, places=2),
    type="number",
)
kind("enum", {"pairs": PAIRS}, st.sampled_from(["A", 2, "C"]), type="enum")
kind(
    "multi_enum",
    {"pairs": PAIRS},
    st.sets(st.sampled_from(["A", 2, "C"]), min_size=1).map(
        lambda keys: tuple(sorted(keys, key=str))
    ),
    type="multi_enum",
)
dates = st.dates(date(1900, 1, 1), date(2199, 12, 31))
kind("date", {}, dates, type="date")
kind("close", {}, dates, type="date", hubspot_type="datetime")
kind(
    "datetime",
    {},
    st.datetimes(datetime(1900, 1, 2), datetime(2199, 12, 30), timezones=st.just(UTC))
    .map(lambda moment: moment.replace(microsecond=0))
    .filter(whole_seconds_outside_the_repeated_hour),
    type="datetime",
)
kind("bool", {}, st.booleans(), type="bool")
NAMES = sorted(KINDS)
DEMO_STAGES = [
    ("default", "closedwon"),
    ("default", "contractsent"),
    ("default", "appointmentscheduled"),
    ("default", "closedlost"),
    ("7000001", "7000012"),
    ("7000001", "7000014"),
    ("7000001", "7000013"),
]


@pytest.fixture(scope="module")
def every(pair_of):
    return pair_of(*(spec for spec, _ in KINDS.values()))


def records(nullable: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    fields = {
        name: (values | st.none()) if nullable else values
        for name, (_, values) in KINDS.items()
    }
    return st.fixed_dictionaries(fields)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_type_round_trips_through_canonical_form(every, name, data):
    value = data.draw(KINDS[name][1] | st.none())

    from_hubspot = every.read_hubspot(every.write_hubspot({name: value}))
    from_genius = every.read_genius(every.write_genius({name: value}))

    assert from_hubspot.values == {name: value}
    assert from_genius.values == {name: value}


@settings(max_examples=150, deadline=None)
@given(record=records(), snapshot=st.none() | records())
def test_merging_a_record_with_itself_plans_nothing(every, record, snapshot):
    hubspot = every.read_hubspot(every.write_hubspot(record)).side(modified_at=None)
    genius = every.read_genius(every.write_genius(record)).side(modified_at=None)
    stored = None if snapshot is None else encode(every, snapshot)

    plan = every.merge(stored, hubspot, genius)

    assert plan.is_empty, plan


moments = st.datetimes(
    datetime(2024, 1, 1), datetime(2024, 1, 2), timezones=st.just(UTC)
)


@settings(max_examples=200, deadline=None)
@given(
    h=records(),
    g=records(),
    snapshot=st.none() | records(),
    policy=st.sampled_from(["newest", "hubspot", "genius", "hold"]),
    times=st.tuples(moments, moments),
)
def test_applying_a_plan_and_merging_again_plans_nothing(
    pair_of, h, g, snapshot, policy, times
):
    pair = pair_of(*({**spec, "policy": policy} for spec, _ in KINDS.values()))
    raw_hubspot, raw_genius = pair.write_hubspot(h), pair.write_genius(g)
    stored = None if snapshot is None else encode(pair, snapshot)

    first = merge_raw(pair, stored, raw_hubspot, raw_genius, times)
    second = merge_raw(
        pair,
        first.snapshot,
        {**raw_hubspot, **first.to_hubspot},
        {**raw_genius, **first.to_genius},
        times,
    )

    assert (second.to_genius, second.to_hubspot, second.errors) == ({}, {}, [])
    assert second.held == first.held
    assert all(conflict.outcome == "held" for conflict in second.conflicts)
    assert not second.snapshot_changed


@settings(max_examples=200, deadline=None)
@given(
    h=records(),
    g=records(),
    snapshot=st.none() | records(),
    times=st.tuples(moments, moments),
)
def test_newest_wins_whichever_side_is_passed_first(every, h, g, snapshot, times):
    stored = None if snapshot is None else encode(every, snapshot)
    h_at, g_at = times

    one = every.merge(stored, Side(h, h_at), Side(g, g_at))
    other = every.merge(stored, Side(g, g_at), Side(h, h_at))

    assert one.snapshot == other.snapshot
    mirrored = {"hubspot_won": "genius_won", "genius_won": "hubspot_won"}
    assert [mirrored.get(c.outcome, c.outcome) for c in one.conflicts] == [
        c.outcome for c in other.conflicts
    ]


@settings(max_examples=200, deadline=None)
@given(
    title=st.sampled_from(["Order", "Commande", ""]),
    pipeline_stage=st.sampled_from(DEMO_STAGES),
    status=st.sampled_from(sorted(QUOTE_STATUSES)),
    stored_status=st.none() | st.sampled_from(sorted(QUOTE_STATUSES)),
    total=st.decimals(min_value=0, max_value=10**6, places=4),
    times=st.tuples(moments, moments),
)
def test_the_deal_preset_settles_after_one_plan(
    deal, title, pipeline_stage, status, stored_status, total, times
):
    """With lossy stages (converted shows as won), one plan is still enough."""
    pipeline, stage = pipeline_stage
    raw_hubspot = {
        "dealname": title or "Deal",
        "pipeline": pipeline,
        "dealstage": stage,
    }
    raw_genius = {"Title": title or "Quote", "Status": status, "Total": total,
                  "Number": "S-000123", "QuoteDate": "2024-01-01"}  # fmt: skip
    stored = None if stored_status is None else {"stage": stored_status}

    first = merge_raw(deal, stored, raw_hubspot, raw_genius, times)
    second = merge_raw(
        deal,
        first.snapshot,
        {**raw_hubspot, **first.to_hubspot},
        {**raw_genius, **first.to_genius},
        times,
    )

    assert (second.to_genius, second.to_hubspot) == ({}, {})
    assert not second.snapshot_changed


def merge_raw(pair, stored, raw_hubspot, raw_genius, times):
    h_at, g_at = times
    hubspot = pair.read_hubspot(raw_hubspot)
    genius = pair.read_genius(raw_genius)
    assert hubspot.errors == genius.errors == []
    return pair.merge(
        stored, hubspot.side(modified_at=h_at), genius.side(modified_at=g_at)
    )


def encode(pair, values: dict[str, Any]) -> dict[str, Any]:
    by_name = {f.name: f for f in pair.fields}
    return {name: by_name[name].to_json(value) for name, value in values.items()}


def test_the_round_trip_filter_excludes_only_the_repeated_hour():
    first = datetime(2024, 11, 3, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = first + timedelta(hours=1)  # 01:30 EST, the same local text

    assert whole_seconds_outside_the_repeated_hour(first)
    assert not whole_seconds_outside_the_repeated_hour(second)
