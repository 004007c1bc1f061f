"""Dates and timestamps cross between HubSpot's UTC and the ERP's local time exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

DATE = {"name": "due", "hubspot": "due_on", "genius": "DueDate", "type": "date"}
CLOSE = {**DATE, "hubspot": "closedate", "hubspot_type": "datetime"}
STAMP = {"name": "seen", "hubspot": "seen_at", "genius": "SeenAt", "type": "datetime"}


def test_case1_genius_date_to_hubspot_date_is_midnight_utc_in_milliseconds(pair_of):
    pair = pair_of(DATE)

    body = pair.write_hubspot(pair.read_genius({"DueDate": "2021-10-29"}).values)

    assert body == {"due_on": "1635465600000"}
    assert int(body["due_on"]) % 86_400_000 == 0


@pytest.mark.parametrize(
    ("tz", "moment", "expected"),
    [
        ("America/Phoenix", "2023-04-01T01:09:44Z", date(2023, 3, 31)),
        ("America/Toronto", "2024-03-10T04:30:00Z", date(2024, 3, 9)),
        ("America/Toronto", "2024-07-10T04:30:00Z", date(2024, 7, 10)),
        ("America/Vancouver", "2024-11-03T08:30:00.000Z", date(2024, 11, 3)),
        ("America/Toronto", "1711944000000", date(2024, 4, 1)),
    ],
    ids=["case2-phoenix", "case2-toronto-dst-day", "toronto-summer", "vancouver", "ms"],
)
def test_case2_hubspot_datetime_to_genius_date_uses_the_erp_zone(
    pair_of, tz, moment, expected
):
    pair = pair_of(CLOSE, tz=tz)

    reading = pair.read_hubspot({"closedate": moment})

    assert reading.values == {"due": expected}
    assert pair.write_genius(reading.values) == {"DueDate": expected.isoformat()}


def test_a_date_written_to_a_hubspot_datetime_reads_back_as_the_same_day(pair_of):
    for tz in ("America/Toronto", "America/Phoenix", "Pacific/Auckland", "UTC"):
        pair = pair_of(CLOSE, tz=tz)
        body = pair.write_hubspot({"due": date(2024, 3, 10)})

        assert pair.read_hubspot(body).values == {"due": date(2024, 3, 10)}, tz


@pytest.mark.parametrize(
    "raw",
    ["2021-10-29", "1635465600000", "2021-10-29T00:00:00Z", "2021-10-29T00:00:00.000Z"],
    ids=["iso", "ms", "iso-midnight", "iso-midnight-ms"],
)
def test_hubspot_date_property_reads_every_shape_as_the_utc_day(pair_of, raw):
    assert pair_of(DATE).read_hubspot({"due_on": raw}).values == {
        "due": date(2021, 10, 29)
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("NaN", "a date"),
        ("2021-13-01", "a date"),
        ("20211029", "a date"),
        ("next tuesday", "a date"),
    ],
    ids=["nan", "month-13", "no-dashes", "words"],
)
def test_unreadable_hubspot_dates_are_field_errors(pair_of, raw, expected):
    reading = pair_of(DATE).read_hubspot({"due_on": raw})

    assert reading.values == {}
    [error] = reading.errors
    assert error.field == "due" and error.system == "hubspot"
    assert expected in error.message or expected in error.expected


def test_genius_dates_in_a_configured_format(pair_of):
    pair = pair_of({**DATE, "options": {"formats": ["%d/%m/%Y", "%Y-%m-%d"]}})

    assert pair.read_genius({"DueDate": "29/10/2021"}).values == {
        "due": date(2021, 10, 29)
    }
    assert pair.read_genius({"DueDate": "2021-10-29"}).values == {
        "due": date(2021, 10, 29)
    }
    assert pair.write_genius({"due": date(2021, 10, 29)}) == {"DueDate": "29/10/2021"}


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2024-07-01 09:30:00", datetime(2024, 7, 1, 13, 30, tzinfo=UTC)),
        ("2024-01-15 09:30:00", datetime(2024, 1, 15, 14, 30, tzinfo=UTC)),
        # The autumn hour that happens twice reads as its first occurrence.
        ("2024-11-03 01:30:00", datetime(2024, 11, 3, 5, 30, tzinfo=UTC)),
    ],
    ids=["summer-edt", "winter-est", "ambiguous-autumn-hour"],
)
def test_genius_timestamps_are_local_time_of_the_erp(pair_of, local, utc):
    pair = pair_of(STAMP)

    reading = pair.read_genius({"SeenAt": local})

    assert reading.values == {"seen": utc}
    assert pair.write_hubspot(reading.values) == {
        "seen_at": utc.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    }
    assert pair.write_genius(reading.values) == {"SeenAt": local}


def test_hubspot_timestamps_keep_whole_seconds(pair_of):
    reading = pair_of(STAMP).read_hubspot({"seen_at": "2024-07-01T13:30:05.987Z"})

    assert reading.values == {"seen": datetime(2024, 7, 1, 13, 30, 5, tzinfo=UTC)}
