"""The shaping of service results into what the portal's pages show."""

from __future__ import annotations

import pytest

from connector_app.views import (
    describe_record,
    describe_schedule,
    format_counts,
    parse_interval,
    parse_optional_id,
    progress_percent,
    run_view,
    show_time,
    tenant_row,
    upsert_run,
)


@pytest.mark.parametrize(
    ("interval_min", "expected"),
    [
        pytest.param(None, "off", id="none"),
        pytest.param(15, "every 15 minutes", id="minutes"),
        pytest.param(60, "every hour", id="one-hour"),
        pytest.param(180, "every 3 hours", id="hours"),
        pytest.param(90, "every 90 minutes", id="not-whole-hours"),
    ],
)
def test_describe_schedule(interval_min, expected):
    assert describe_schedule(interval_min) == expected


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        pytest.param({}, "nothing to do", id="empty"),
        pytest.param({"created": 0, "updated": 0}, "nothing to do", id="all-zero"),
        pytest.param(
            {"errors": 1, "zeta": 2, "created": 12, "updated": 3},
            "created 12 · updated 3 · errors 1 · zeta 2",
            id="usual-names-first-then-alphabetical",
        ),
        pytest.param(
            {"customers_created": 1, "companies_updated": 2, "created": 3},
            "created 3 · companies updated 2 · customers created 1",
            id="keys-as-words",
        ),
    ],
)
def test_format_counts(counts, expected):
    assert format_counts(counts) == expected


@pytest.mark.parametrize(
    ("done", "total", "expected"),
    [
        pytest.param(0, 0, 0, id="nothing-known"),
        pytest.param(1, 3, 33, id="third"),
        pytest.param(50, 50, 100, id="all"),
        pytest.param(70, 50, 100, id="capped"),
    ],
)
def test_progress_percent(done, total, expected):
    assert progress_percent(done, total) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", None, id="empty-is-off"),
        pytest.param(" off ", None, id="off"),
        pytest.param("0", None, id="zero-is-off"),
        pytest.param("15", 15, id="minutes"),
    ],
)
def test_parse_interval(text, expected):
    assert parse_interval(text) == expected


@pytest.mark.parametrize(
    "text", ["quinze", "1.5", "-5"], ids=["word", "fraction", "negative"]
)
def test_parse_interval_explains_what_to_type(text):
    with pytest.raises(ValueError, match="whole minutes"):
        parse_interval(text)


def test_parse_optional_id_names_the_field():
    assert parse_optional_id(" 42 ", "run") == 42
    assert parse_optional_id("", "run") is None
    with pytest.raises(ValueError, match="run 'x1' is not a number"):
        parse_optional_id("x1", "run")


def test_tenant_row_is_all_strings_with_readable_times():
    row = tenant_row(
        {
            "id": 3,
            "hub_id": "4815162",
            "name": "Usinage Lévis ltée",
            "status": "disabled",
            "status_reason": "disabled by ops@example.com",
            "genius_base_url": "",
            "genius_company": "",
            "schedule_interval_min": None,
            "next_run_at": "",
            "last_run_status": "",
            "last_run_at": "2026-12-04T15:30:00+00:00",
        }
    )
    assert all(isinstance(value, str) for value in row.values())
    assert row["enabled"] == ""
    assert row["genius_connected"] == ""
    assert row["schedule"] == "off"
    assert row["last_run_status"] == "never"
    assert row["last_run_at"] == "2026-12-04 15:30:00 UTC"


@pytest.mark.parametrize(
    ("status", "finished"),
    [
        pytest.param("queued", "", id="queued"),
        pytest.param("running", "", id="running"),
        pytest.param("succeeded", "yes", id="succeeded"),
        pytest.param("partial", "yes", id="partial"),
        pytest.param("failed", "yes", id="failed"),
    ],
)
def test_run_view_marks_finished_runs(status, finished):
    view = run_view(
        {
            "id": 7,
            "trigger": "manual",
            "status": status,
            "phase": "deals",
            "progress_done": 10,
            "progress_total": 40,
            "counts": {"created": 10},
            "queued_at": "2026-12-04T15:00:00+00:00",
            "finished_at": "",
            "duration_s": 3.456 if finished else None,
            "error": "",
        }
    )
    assert view["finished"] == finished
    assert view["percent"] == "25"
    assert view["duration"] == ("3.46 s" if finished else "")
    assert view["counts"] == "created 10"


def test_show_time_accepts_empty_values():
    assert show_time("") == ""
    assert show_time(None) == ""


@pytest.mark.parametrize(
    ("kind", "hubspot_id", "genius_id", "expected"),
    [
        pytest.param(
            "deal",
            "2001",
            "Q-17",
            "HubSpot deal 2001 ↔ Genius quote Q-17",
            id="deal-pair",
        ),
        pytest.param(
            "company",
            "51",
            "C-9",
            "HubSpot company 51 ↔ Genius customer C-9",
            id="company-pair",
        ),
        pytest.param("deal", "2001", "", "HubSpot deal 2001", id="hubspot-side-only"),
        pytest.param("deal", "", "Q-17", "Genius quote Q-17", id="genius-side-only"),
        pytest.param("", "2001", "", "HubSpot 2001", id="no-kind"),
        pytest.param("deal", "", "", "", id="no-record"),
    ],
)
def test_describe_record_names_both_sides(kind, hubspot_id, genius_id, expected):
    assert describe_record(kind, hubspot_id, genius_id) == expected


def test_upsert_run_replaces_a_run_in_place_or_adds_it_newest_first():
    runs = [{"id": "9", "status": "succeeded"}, {"id": "3", "status": "failed"}]
    queued = {"id": "10", "status": "queued"}
    assert [r["id"] for r in upsert_run(runs, queued)] == ["10", "9", "3"]
    running = {"id": "10", "status": "running"}
    updated = upsert_run(upsert_run(runs, queued), running)
    assert (updated[0]["id"], updated[0]["status"]) == ("10", "running")
    assert len(updated) == 3
    assert upsert_run([], queued) == [queued]


def summary(status: str, interval_min: int | None) -> dict:
    return {
        "id": 4,
        "hub_id": "4815162",
        "name": "Usinage Lévis ltée",
        "status": status,
        "status_reason": "",
        "genius_base_url": "",
        "genius_company": "",
        "schedule_interval_min": interval_min,
        "next_run_at": "2026-12-04T16:00:00+00:00" if interval_min else "",
        "last_run_status": "",
        "last_run_at": "",
    }


@pytest.mark.parametrize(
    ("status", "interval_min", "flags", "next_run", "note"),
    [
        pytest.param(
            "active",
            15,
            ("yes", "yes", ""),
            "Next run 2026-12-04 16:00:00 UTC.",
            "",
            id="active-scheduled",
        ),
        pytest.param(
            "active", None, ("yes", "yes", ""), "", "", id="active-no-schedule"
        ),
        pytest.param(
            "disabled",
            15,
            ("yes", "", "yes"),
            "Paused while the tenant is disabled.",
            "until the tenant is enabled",
            id="disabled-schedule-paused",
        ),
        pytest.param(
            "reauth_needed",
            15,
            ("yes", "", "yes"),
            "Paused while the tenant is waiting for HubSpot to be reconnected.",
            "install the app again",
            id="reauth-needed",
        ),
        pytest.param(
            "uninstalled",
            15,
            ("", "", "yes"),
            "Paused while the tenant is uninstalled.",
            "installs the app again from HubSpot",
            id="uninstalled-nothing-to-do-here",
        ),
    ],
)
def test_tenant_row_says_what_can_be_done_and_when_the_next_run_is(
    status, interval_min, flags, next_run, note
):
    row = tenant_row(summary(status, interval_min))
    assert (row["installed"], row["can_sync"], row["schedule_paused"]) == flags
    assert row["next_run"] == next_run
    assert (note in row["status_note"]) if note else row["status_note"] == ""


@pytest.mark.parametrize(
    ("status", "counts", "expected"),
    [
        pytest.param("queued", {}, "—", id="waiting-run-counted-nothing-yet"),
        pytest.param("running", {"created": 0}, "—", id="running-zeros"),
        pytest.param("running", {"created": 2}, "created 2", id="running-so-far"),
        pytest.param("succeeded", {}, "nothing to do", id="finished-with-nothing"),
        pytest.param("failed", {"errors": 0}, "nothing done", id="stopped-first"),
        pytest.param("failed", {"errors": 1}, "errors 1", id="failed-with-counts"),
    ],
)
def test_run_view_counts_say_nothing_until_a_run_did_something(
    status, counts, expected
):
    view = run_view(
        {
            "id": 8,
            "trigger": "manual",
            "status": status,
            "phase": "",
            "progress_done": 0,
            "progress_total": 0,
            "counts": counts,
            "queued_at": "2026-12-04T15:00:00+00:00",
            "finished_at": "",
            "duration_s": None,
            "error": "",
        }
    )
    assert view["counts"] == expected
