"""Genius's local `ModifiedAt` and the instants it can stand for.

Genius writes `ModifiedAt` as wall-clock text of the company's timezone. In
the autumn the hour from 01:00 to 02:00 happens twice, so a text in it names
two instants an hour apart, and records modified in the second pass sort
*before* records of the end of the first pass. Two consequences:

- A filter `modifiedSince` computed from an instant just before the clocks
  go back would skip everything written during the second pass. `since_text`
  widens the filter by the size of the jump when one follows within two
  hours, so nothing at or after the instant is missed.
- A text of the repeated hour is read as the earlier instant (like
  `mapping.localtime.genius_to_utc`), unless the caller knows the record was
  already modified later than that: a record's modification time never goes
  back, so `modified_at(..., not_before=...)` then takes the later instant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from mapping.localtime import GENIUS_TIMESTAMP_FORMAT, utc_to_genius

LOOKAHEAD = timedelta(hours=2)


def since_text(moment: datetime, tz_name: str) -> str:
    """The inclusive local filter text that misses nothing modified at or after
    `moment`, even when the clocks go back soon after it."""
    zone = ZoneInfo(tz_name)
    before = moment.astimezone(zone).utcoffset() or timedelta(0)
    after = (moment + LOOKAHEAD).astimezone(zone).utcoffset() or timedelta(0)
    if after < before:
        moment -= before - after
    return utc_to_genius(moment, tz_name)


def modified_range(text: str, tz_name: str) -> tuple[datetime, datetime]:
    """The earliest and latest instant the local text can mean (equal if unique)."""
    local = datetime.strptime(text.strip(), GENIUS_TIMESTAMP_FORMAT)
    zone = ZoneInfo(tz_name)
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return min(first, second), max(first, second)


def modified_at(
    text: str, tz_name: str, *, not_before: datetime | None = None
) -> datetime:
    """The instant of a `ModifiedAt` text: the earlier reading of a repeated
    hour, or the later one when the earlier is before `not_before`."""
    earliest, latest = modified_range(text, tz_name)
    if not_before is not None and earliest < not_before <= latest:
        return latest
    return earliest


def is_ambiguous(text: str, tz_name: str) -> bool:
    earliest, latest = modified_range(text, tz_name)
    return earliest != latest
