"""Links between HubSpot and Genius records, always read within one tenant."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from store.models import Link
from store.types import utcnow


def links_by_hubspot(
    session: Session, tenant_id: int, kind: str, hubspot_ids: Iterable[str]
) -> dict[str, Link]:
    """The tenant's links of `kind` for these HubSpot ids, keyed by HubSpot id."""
    rows = _links_where(session, tenant_id, kind, Link.hubspot_id, hubspot_ids)
    return {row.hubspot_id: row for row in rows}


def links_by_genius(
    session: Session, tenant_id: int, kind: str, genius_ids: Iterable[str]
) -> dict[str, Link]:
    """The tenant's links of `kind` for these Genius ids, keyed by Genius id."""
    rows = _links_where(session, tenant_id, kind, Link.genius_id, genius_ids)
    return {row.genius_id: row for row in rows}


def _links_where(
    session: Session, tenant_id: int, kind: str, column: Any, ids: Iterable[str]
) -> list[Link]:
    wanted = list(ids)
    if not wanted:
        return []
    return list(
        session.exec(
            select(Link).where(
                Link.tenant_id == tenant_id, Link.kind == kind, col(column).in_(wanted)
            )
        )
    )


def save_link(
    session: Session,
    tenant_id: int,
    kind: str,
    *,
    hubspot_id: str,
    genius_id: str,
    snapshot: dict[str, Any],
    hubspot_modified_at: datetime | None = None,
    genius_modified_at: datetime | None = None,
) -> Link:
    """Create the link or update it with what both sides now agree on."""
    link = session.exec(
        select(Link).where(
            Link.tenant_id == tenant_id,
            Link.kind == kind,
            Link.hubspot_id == hubspot_id,
        )
    ).first()
    if link is None:
        link = Link(tenant_id=tenant_id, kind=kind, hubspot_id=hubspot_id, genius_id="")
    link.genius_id = genius_id
    link.snapshot = snapshot
    link.hubspot_modified_at = hubspot_modified_at or link.hubspot_modified_at
    link.genius_modified_at = genius_modified_at or link.genius_modified_at
    link.updated_at = utcnow()
    session.add(link)
    session.flush()
    return link
