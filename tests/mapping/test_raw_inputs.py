"""Planning from raw inputs gives exactly the plan of a full read and merge.

`plan_from_raw` skips records whose raw inputs are those both sides agreed
on, and reads only the fields whose inputs moved. Whatever moved, on either
side, to whatever value (good, cleared, unreadable), its plan must be the one
reading both records whole and merging them gives.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bench_mapping import (
    TEMPLATE_GENIUS,
    TEMPLATE_HUBSPOT,
    compile_deal,
    template_snapshot,
)
from mapping.merge import Plan

HUBSPOT_AT = datetime(2024, 6, 3, 14, 0, tzinfo=UTC)
GENIUS_AT = datetime(2024, 6, 3, 15, 0, tzinfo=UTC)
DEAL = compile_deal()
SNAPSHOT = template_snapshot(DEAL)
AGREED_RAW = DEAL.raw_inputs(TEMPLATE_HUBSPOT, TEMPLATE_GENIUS)

HUBSPOT_VALUES = st.sampled_from(
    [None, "", "  ", "abc", "0", "12,50", "1 234,56", "2024-07-16", "1720483200000",
     "1720483200001", "2024-07-16T10:00:00Z", "true", "no", "closedwon",
     "contractsent", "7000012", "7000001", "USD", "EUR", "net60", "csa;ul", "x" * 80,
     "Texte modifié", 0, 1, True, False]
)  # fmt: skip
GENIUS_VALUES = st.sampled_from(
    [None, "", "abc", Decimal("0"), Decimal("99.5"), Decimal("1E+3"), 30, 60, 10, 99,
     "2024-07-16", "2024-13-01", "NET60", "COD", ["UL"], ["CSA", "ISO9001"], True,
     "Texte modifié", "2024-06-02 10:00:00", "2024-11-03 01:30:00", 0, 1, False,
     Decimal("0"), Decimal("1"), "0", "1", [0], [False]]
)  # fmt: skip


def full_plan(hubspot: dict[str, Any], genius: dict[str, Any]) -> Plan:
    return DEAL.merge(
        SNAPSHOT,
        DEAL.read_hubspot(hubspot).side(modified_at=HUBSPOT_AT),
        DEAL.read_genius(genius).side(modified_at=GENIUS_AT),
    )


def shape(plan: Plan) -> dict[str, Any]:
    return {
        "to_genius": plan.to_genius,
        "to_hubspot": plan.to_hubspot,
        "snapshot": plan.snapshot,
        "conflicts": [conflict.as_dict() for conflict in plan.conflicts],
        "held": plan.held,
        "errors": sorted(error.message for error in plan.errors),
    }


def test_unmoved_records_plan_nothing_without_being_read():
    plan, raw = DEAL.plan_from_raw(
        SNAPSHOT, AGREED_RAW, dict(TEMPLATE_HUBSPOT), dict(TEMPLATE_GENIUS),
        hubspot_at=HUBSPOT_AT, genius_at=GENIUS_AT,
    )  # fmt: skip

    assert plan is None
    assert raw == AGREED_RAW
    assert full_plan(TEMPLATE_HUBSPOT, TEMPLATE_GENIUS).is_empty


@pytest.mark.parametrize(
    "agreed_raw",
    [None, [], ["other rules", AGREED_RAW[1], AGREED_RAW[2]], "damaged"],
    ids=["none", "empty", "rules-edited", "not-a-list"],
)
def test_without_a_usable_agreement_both_records_are_read(agreed_raw):
    hubspot = {**TEMPLATE_HUBSPOT, "dealname": "Renommée"}

    plan, _ = DEAL.plan_from_raw(
        SNAPSHOT, agreed_raw, hubspot, TEMPLATE_GENIUS,
        hubspot_at=HUBSPOT_AT, genius_at=GENIUS_AT,
    )  # fmt: skip

    assert shape(plan) == shape(full_plan(hubspot, TEMPLATE_GENIUS))
    assert plan.to_genius == {"Title": "Renommée"}


@settings(max_examples=400, deadline=None)
@given(
    hubspot_changes=st.dictionaries(
        st.sampled_from(sorted(TEMPLATE_HUBSPOT)), HUBSPOT_VALUES, max_size=4
    ),
    genius_changes=st.dictionaries(
        st.sampled_from(sorted(set(TEMPLATE_GENIUS) - {"ModifiedAt"})),
        GENIUS_VALUES,
        max_size=4,
    ),
    dropped=st.sets(st.sampled_from(sorted(TEMPLATE_HUBSPOT)), max_size=1),
)
def test_any_change_plans_as_a_full_read_and_merge(
    hubspot_changes, genius_changes, dropped
):
    hubspot = {**TEMPLATE_HUBSPOT, **hubspot_changes}
    for key in dropped:
        hubspot.pop(key)
    genius = {**TEMPLATE_GENIUS, **genius_changes}

    plan, raw = DEAL.plan_from_raw(
        SNAPSHOT,
        AGREED_RAW,
        hubspot,
        genius,
        hubspot_at=HUBSPOT_AT,
        genius_at=GENIUS_AT,
    )

    expected = full_plan(hubspot, genius)
    if plan is None:
        assert expected.is_empty and not expected.snapshot_changed
    else:
        assert shape(plan) == shape(expected)
    assert (raw == AGREED_RAW) == (plan is None)
