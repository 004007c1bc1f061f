"""The three-way merge follows the table of DESIGN.md, field by field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mapping.merge import Side

EARLY = datetime(2024, 5, 1, 12, tzinfo=UTC)
LATE = EARLY + timedelta(minutes=5)


def notes_rule(**extra):
    return {"name": "notes", "hubspot": "description", "genius": "Notes",
            "type": "string", **extra}  # fmt: skip


def merge_one(pair, snapshot, h, g, *, hubspot_at=EARLY, genius_at=EARLY, **kwargs):
    hubspot = {} if h is ... else {"notes": h}
    genius = {} if g is ... else {"notes": g}
    return pair.merge(
        None if snapshot is ... else {"notes": snapshot},
        Side(hubspot, hubspot_at),
        Side(genius, genius_at),
        **kwargs,
    )


# (snapshot, hubspot, genius, hubspot time, genius time, policy)
#   -> (to_genius, to_hubspot, snapshot, conflict outcome); `...` = absent
BOTH_WAYS = [
    ("a", "a", "a", EARLY, EARLY, "newest", {}, {}, "a", None),
    ("a", "b", "a", EARLY, EARLY, "newest", {"Notes": "b"}, {}, "b", None),
    ("a", "a", "b", EARLY, EARLY, "newest", {}, {"description": "b"}, "b", None),
    ("a", "b", "b", EARLY, LATE, "newest", {}, {}, "b", None),
    ("a", "b", "c", LATE, EARLY, "newest", {"Notes": "b"}, {}, "b", "hubspot_won"),
    ("a", "b", "c", EARLY, LATE, "newest", {}, {"description": "c"}, "c", "genius_won"),
    ("a", "b", "c", EARLY, EARLY, "newest", {}, {}, "a", "held"),
    ("a", "b", "c", EARLY, LATE, "hubspot", {"Notes": "b"}, {}, "b", "hubspot_won"),
    ("a", "b", "c", LATE, EARLY, "genius", {}, {"description": "c"}, "c", "genius_won"),
    ("a", "b", "c", LATE, EARLY, "hold", {}, {}, "a", "held"),
    ("a", None, "a", EARLY, EARLY, "newest", {"Notes": None}, {}, None, None),
    ("a", "a", None, EARLY, EARLY, "newest", {}, {"description": ""}, None, None),
    (..., "b", None, EARLY, EARLY, "newest", {"Notes": "b"}, {}, "b", None),
    (..., None, "c", EARLY, EARLY, "newest", {}, {"description": "c"}, "c", None),
    (..., "b", "b", EARLY, EARLY, "newest", {}, {}, "b", None),
    (..., None, None, EARLY, EARLY, "newest", {}, {}, None, None),
    (..., "b", "c", EARLY, LATE, "newest", {}, {"description": "c"}, "c", "genius_won"),
    ("a", ..., "b", EARLY, EARLY, "newest", {}, {}, "a", None),
    ("a", "b", ..., EARLY, EARLY, "newest", {}, {}, "a", None),
]
BOTH_IDS = [
    "no-change", "hubspot-changed", "genius-changed", "both-same-value",
    "conflict-hubspot-newer", "conflict-genius-newer", "conflict-tie-held",
    "policy-hubspot-wins", "policy-genius-wins", "policy-hold",
    "hubspot-cleared", "genius-cleared", "new-link-hubspot-only",
    "new-link-genius-only", "new-link-equal", "new-link-both-empty",
    "new-link-conflict", "hubspot-unreadable", "genius-unreadable",
]  # fmt: skip


@pytest.mark.parametrize(
    ("snapshot", "h", "g", "h_at", "g_at", "policy", "to_genius", "to_hubspot",
     "stored", "outcome"),
    BOTH_WAYS,
    ids=BOTH_IDS,
)  # fmt: skip
def test_two_way_field_follows_the_design_table(
    pair_of, snapshot, h, g, h_at, g_at, policy, to_genius, to_hubspot, stored, outcome
):
    pair = pair_of(notes_rule(policy=policy))

    plan = merge_one(pair, snapshot, h, g, hubspot_at=h_at, genius_at=g_at)

    assert (plan.to_genius, plan.to_hubspot) == (to_genius, to_hubspot)
    assert plan.snapshot == ({} if stored is ... else {"notes": stored})
    assert [c.outcome for c in plan.conflicts] == ([outcome] if outcome else [])
    assert plan.held == (["notes"] if outcome == "held" else [])


ONE_WAY = [
    ("to_erp", "a", "b", "a", {"Notes": "b"}, {}, "b"),
    ("to_erp", "a", "a", "b", {}, {}, "a"),
    ("to_erp", "a", "b", "c", {"Notes": "b"}, {}, "b"),
    ("to_erp", ..., None, "c", {}, {}, None),
    ("to_erp", ..., "b", "c", {"Notes": "b"}, {}, "b"),
    ("to_crm", "a", "a", "b", {}, {"description": "b"}, "b"),
    ("to_crm", "a", "b", "a", {}, {}, "a"),
    ("to_crm", ..., "b", None, {}, {}, None),
    ("to_crm", "a", "b", None, {}, {"description": ""}, None),
]
ONE_WAY_IDS = [
    "to-erp-source-changed", "to-erp-target-changed-is-left",
    "to-erp-both-changed-source-wins", "to-erp-new-link-empty-source",
    "to-erp-new-link-copies", "to-crm-source-changed",
    "to-crm-target-changed-is-left", "to-crm-new-link-empty-source",
    "to-crm-source-cleared",
]  # fmt: skip


@pytest.mark.parametrize(
    ("direction", "snapshot", "h", "g", "to_genius", "to_hubspot", "stored"),
    ONE_WAY,
    ids=ONE_WAY_IDS,
)
def test_one_way_field_follows_its_source(
    pair_of, direction, snapshot, h, g, to_genius, to_hubspot, stored
):
    pair = pair_of(notes_rule(direction=direction))

    plan = merge_one(pair, snapshot, h, g, genius_at=LATE)

    assert (plan.to_genius, plan.to_hubspot) == (to_genius, to_hubspot)
    assert plan.snapshot == {"notes": stored}
    assert plan.conflicts == []


def test_a_field_turned_off_is_neither_read_nor_written(pair_of):
    pair = pair_of(notes_rule(direction="off"))

    assert pair.read_hubspot({"description": "x"}).values == {}
    assert merge_one(pair, "a", "b", "c").is_empty


def test_per_property_times_decide_over_the_record_time(pair_of):
    pair = pair_of(notes_rule())

    plan = pair.merge(
        {"notes": "a"},
        Side({"notes": "b"}, LATE, field_modified_at={"description": EARLY}),
        Side({"notes": "c"}, EARLY + timedelta(minutes=1)),
    )

    [conflict] = plan.conflicts
    assert conflict.outcome == "genius_won"
    assert conflict.hubspot_modified_at == EARLY
    assert conflict.as_dict()["hubspot_value"] == "b"


def test_a_reviewed_decision_resolves_a_held_conflict(pair_of):
    pair = pair_of(notes_rule(policy="hold"))

    plan = merge_one(pair, "a", "b", "c", decide={"notes": "genius"})

    assert plan.to_hubspot == {"description": "c"} and plan.held == []


def test_a_snapshot_value_of_an_older_mapping_counts_as_no_snapshot(pair_of):
    pair = pair_of({**notes_rule(), "type": "number"})

    plan = pair.merge(
        {"notes": "not a number"}, Side({"notes": None}, EARLY), Side({}, EARLY)
    )

    assert plan.snapshot == {} and plan.snapshot_changed


def test_the_plan_is_deterministic(deal):
    hubspot = deal.read_hubspot(
        {"dealname": "Order", "pipeline": "7000001", "dealstage": "7000011"}
    ).side(modified_at=LATE)
    genius = deal.read_genius({"Title": "Commande", "Status": 40}).side(
        modified_at=EARLY
    )

    plans = [deal.merge({"title": "Old", "stage": 10}, hubspot, genius) for _ in "ab"]

    assert plans[0] == plans[1]
    assert plans[0].to_genius == {"Title": "Order", "Status": 20}
