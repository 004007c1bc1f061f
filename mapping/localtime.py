"""Genius ERP timestamps: local wall-clock text without offset, and UTC.

Genius writes `ModifiedAt` as `YYYY-MM-DD HH:MM:SS` in the company's IANA
timezone. When clocks go back in the autumn the hour from 01:00 to 02:00
happens twice, so such a text names two instants; we read it as the earlier
one (fold=0). Callers that need to be safe about that hour (cursors) read
with an overlap of more than an hour. A spring-forward text that never
happened is read with the offset before the gap, as the ERP's clock meant.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

GENIUS_TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def genius_to_utc(text: str, tz_name: str) -> datetime:
    """Local text in `tz_name` -> aware UTC datetime (the earlier if ambiguous)."""
    local = datetime.strptime(text.strip(), GENIUS_TIMESTAMP_FORMAT)
    return local.replace(tzinfo=ZoneInfo(tz_name), fold=0).astimezone(UTC)


def utc_to_genius(moment: datetime, tz_name: str) -> str:
    """Aware datetime -> the ERP's local text in `tz_name`."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: pass an aware datetime")
    return moment.astimezone(ZoneInfo(tz_name)).strftime(GENIUS_TIMESTAMP_FORMAT)


def local_to_utc(local: datetime, tz_name: str) -> datetime:
    """Naive wall-clock time in `tz_name` -> aware UTC (the earlier if ambiguous)."""
    return local.replace(tzinfo=ZoneInfo(tz_name), fold=0).astimezone(UTC)
