"""The autumn repeated hour: local `ModifiedAt` neither hides nor reorders a change.

On 2026-11-01 Toronto goes from 01:59:59 EDT back to 01:00:00 EST, so the
local texts 01:00–01:59 happen twice and the second pass sorts before the
end of the first one.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mapping.localtime import utc_to_genius
from sync.genius.timestamps import is_ambiguous, modified_at, modified_range, since_text

TORONTO = "America/Toronto"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def test_a_quote_changed_in_the_second_pass_is_read_and_newer(genius, erp, admin):
    admin.post("/clock", json={"now": "2026-11-01T05:20:00Z"})  # 01:20 EDT
    number = erp.post("/quotes", json={"CustomerCode": "BOREAL", "Status": 10}).json()[
        "Number"
    ]
    admin.post("/clock", json={"now": "2026-11-01T05:50:00Z"})  # 01:50 EDT
    erp.patch("/quotes/S-000001", json={"Title": "Révision"})

    admin.post("/clock", json={"now": "2026-11-01T05:55:00Z"})
    first_read = [q async for q in genius.iter_quotes(utc("2026-11-01T05:00:00"))]
    cursor = max(genius.modified_at(q) for q in first_read)
    known = {q["Number"]: genius.modified_at(q) for q in first_read}

    admin.post("/clock", json={"now": "2026-11-01T06:10:00Z"})  # 01:10 EST
    erp.patch(f"/quotes/{number}", json={"Status": 20})
    second_read = {q["Number"]: q async for q in genius.iter_quotes(cursor)}

    changed = second_read[number]
    assert cursor == utc("2026-11-01T05:50:00")
    assert (changed["ModifiedAt"], changed["Status"]) == ("2026-11-01 01:10:00", 20)
    stamp = genius.modified_at(changed, not_before=known[number])
    assert stamp == utc("2026-11-01T06:10:00")
    assert stamp > known[number]


def test_the_sandbox_is_faithful_to_the_quirk_a_naive_filter_misses(erp, admin):
    admin.post("/clock", json={"now": "2026-11-01T05:50:00Z"})
    erp.patch("/quotes/S-000001", json={"Title": "Première passe"})
    admin.post("/clock", json={"now": "2026-11-01T06:10:00Z"})
    created = erp.post("/quotes", json={"CustomerCode": "BOREAL"}).json()

    naive = utc_to_genius(utc("2026-11-01T05:50:00"), TORONTO)
    listed = erp.get("/quotes", params={"modifiedSince": naive}).json()["Data"]
    everything = erp.get("/quotes").json()["Data"]

    assert created["Number"] not in [q["Number"] for q in listed]
    # The later change sorts first: its local text is earlier.
    assert [q["Number"] for q in everything] == [created["Number"], "S-000001"]


@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        pytest.param(
            "2026-11-01T05:50:00",
            TORONTO,
            "2026-11-01 00:50:00",
            id="just-before-the-jump-widens",
        ),
        pytest.param(
            "2026-11-01T04:30:00",
            TORONTO,
            "2026-10-31 23:30:00",
            id="two-hours-before-widens",
        ),
        pytest.param(
            "2026-11-01T06:10:00",
            TORONTO,
            "2026-11-01 01:10:00",
            id="after-the-jump-is-exact",
        ),
        pytest.param(
            "2026-11-01T02:00:00",
            TORONTO,
            "2026-10-31 22:00:00",
            id="four-hours-before-is-exact",
        ),
        pytest.param(
            "2026-03-08T06:30:00",
            TORONTO,
            "2026-03-08 01:30:00",
            id="spring-gap-is-exact",
        ),
        pytest.param(
            "2026-11-01T08:50:00",
            "America/Vancouver",
            "2026-11-01 00:50:00",
            id="vancouver-widens",
        ),
        pytest.param(
            "2026-11-01T07:50:00",
            "America/Regina",
            "2026-11-01 01:50:00",
            id="no-dst-is-exact",
        ),
    ],
)
def test_the_filter_text_widens_only_before_a_repeated_hour(moment, zone, expected):
    assert since_text(utc(moment), zone) == expected


@pytest.mark.parametrize(
    ("text", "not_before", "expected"),
    [
        pytest.param(
            "2026-11-01 01:10:00",
            None,
            "2026-11-01T05:10:00",
            id="earlier-reading-by-default",
        ),
        pytest.param(
            "2026-11-01 01:10:00",
            "2026-11-01T05:20:00",
            "2026-11-01T06:10:00",
            id="later-when-known-newer",
        ),
        pytest.param(
            "2026-11-01 01:55:00",
            "2026-11-01T05:20:00",
            "2026-11-01T05:55:00",
            id="earlier-when-still-possible",
        ),
        pytest.param(
            "2026-11-01 03:00:00",
            "2026-11-01T09:00:00",
            "2026-11-01T08:00:00",
            id="unambiguous-ignores-the-hint",
        ),
    ],
)
def test_a_repeated_hour_is_read_as_the_earlier_instant_unless_known_newer(
    text, not_before, expected
):
    hint = utc(not_before) if not_before else None

    assert modified_at(text, TORONTO, not_before=hint) == utc(expected)


def test_the_range_of_a_repeated_text_spans_one_hour():
    earliest, latest = modified_range("2026-11-01 01:30:00", TORONTO)

    assert (latest - earliest).total_seconds() == 3600
    assert is_ambiguous("2026-11-01 01:30:00", TORONTO)
    assert not is_ambiguous("2026-11-01 02:30:00", TORONTO)
