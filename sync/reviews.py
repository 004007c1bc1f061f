"""Things held for a person: ambiguous identities, held conflicts, records in error.

A record with an open item waits; every run tries it again, and the item is
resolved by the run that syncs the record, or by a person.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from store.models import ReviewItem, ReviewKind
from store.types import utcnow

OPEN = "open"


def hold(
    session: Session,
    tenant_id: int,
    kind: str,
    *,
    object_kind: str,
    hubspot_id: str = "",
    genius_id: str = "",
    summary: str,
    data: dict[str, Any] | None = None,
) -> ReviewItem:
    """Open an item for the record, or refresh the one already open."""
    item = session.exec(
        select(ReviewItem).where(
            ReviewItem.tenant_id == tenant_id,
            ReviewItem.kind == kind,
            ReviewItem.object_kind == object_kind,
            ReviewItem.hubspot_id == hubspot_id,
            ReviewItem.status == OPEN,
        )
    ).first()
    if item is None:
        item = ReviewItem(
            tenant_id=tenant_id,
            kind=kind,
            object_kind=object_kind,
            hubspot_id=hubspot_id,
        )
    item.genius_id = genius_id
    item.summary = summary
    item.data = data or {}
    session.add(item)
    return item


def resolve_for_record(
    session: Session, tenant_id: int, object_kind: str, hubspot_id: str, *, by: str
) -> int:
    """Close the items a record's successful sync settles (errors, identity).

    A held conflict stays open: syncing does not choose between two values.
    """
    items = session.exec(
        select(ReviewItem).where(
            ReviewItem.tenant_id == tenant_id,
            ReviewItem.object_kind == object_kind,
            ReviewItem.hubspot_id == hubspot_id,
            ReviewItem.status == OPEN,
            ReviewItem.kind != ReviewKind.CONFLICT,
        )
    )
    count = 0
    for item in items:
        item.status = "resolved"
        item.resolved_at = utcnow()
        item.resolved_by = by
        session.add(item)
        count += 1
    return count


def waiting_records(session: Session, tenant_id: int, object_kind: str) -> list[str]:
    """HubSpot ids of records of `object_kind` that wait on an open item."""
    rows = session.exec(
        select(ReviewItem.hubspot_id)
        .where(
            ReviewItem.tenant_id == tenant_id,
            ReviewItem.object_kind == object_kind,
            ReviewItem.status == OPEN,
            ReviewItem.hubspot_id != "",
        )
        .order_by(col(ReviewItem.id))
    )
    return list(dict.fromkeys(rows))


def list_open(tenant_id: int, session: Session, limit: int = 100) -> list[ReviewItem]:
    rows = session.exec(
        select(ReviewItem)
        .where(ReviewItem.tenant_id == tenant_id, ReviewItem.status == OPEN)
        .order_by(col(ReviewItem.id).desc())
        .limit(limit)
    )
    return list(rows)
