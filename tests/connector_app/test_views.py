"""The shaping of service results into what the portal's pages show."""

from __future__ import annotations

import pytest

from connector_app.views import (
    describe_schedule,
    format_counts,
    parse_interval,
    parse_optional_id,
    progress_percent,
    run_view,
    show_time,
    tenant_row,
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
