"""High-water marks of last-modified time, one per tenant and stream.

A stream is read again from its mark minus an overlap: search indexes lag,
clocks differ, and Genius's local times repeat an hour each autumn. Records
read twice are harmless, since the merge compares them with the snapshot.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from store.models import Cursor
from store.types import utcnow

# HubSpot's search index lags "a few moments"; Genius repeats an hour in autumn.
OVERLAPS = {
    "hubspot.deals": timedelta(minutes=5),
    "hubspot.companies": timedelta(minutes=5),
    "genius.quotes": timedelta(minutes=65),
    "genius.customers": timedelta(minutes=65),
}


def read_from(session: Session, tenant_id: int, stream: str) -> datetime | None:
    """Where to start reading `stream`: the mark minus its overlap, or None (all)."""
    cursor = session.get(Cursor, (tenant_id, stream))
    if cursor is None or cursor.high_water is None:
        return None
    return cursor.high_water - OVERLAPS.get(stream, timedelta(minutes=5))


def advance(
    session: Session, tenant_id: int, stream: str, seen: datetime | None
) -> None:
    """Move the mark to `seen` (the newest time read); it never moves back."""
    if seen is None:
        return
    cursor = session.get(Cursor, (tenant_id, stream))
    if cursor is None:
        cursor = Cursor(tenant_id=tenant_id, stream=stream)
    if cursor.high_water is None or seen > cursor.high_water:
        cursor.high_water = seen
    cursor.updated_at = utcnow()
    session.add(cursor)
