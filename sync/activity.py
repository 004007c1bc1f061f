"""The activity log: one structured event per decision, browsable per tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from runtime.logs import get_logger
from store.db import session_scope
from store.models import LogEvent

log = get_logger(__name__)

LEVELS = ("debug", "info", "warning", "error")


def record_event(
    session: Session,
    *,
    tenant_id: int,
    event: str,
    message: str = "",
    level: str = "info",
    run_id: int | None = None,
    object_kind: str = "",
    hubspot_id: str = "",
    genius_id: str = "",
    data: dict[str, Any] | None = None,
) -> LogEvent:
    """Store an event and echo it to the process log with the same fields."""
    row = LogEvent(
        tenant_id=tenant_id,
        run_id=run_id,
        event=event,
        level=level,
        message=message,
        object_kind=object_kind,
        hubspot_id=hubspot_id,
        genius_id=genius_id,
        data=data or {},
    )
    session.add(row)
    getattr(log, level if level in LEVELS else "info")(
        event,
        tenant_id=tenant_id,
        run_id=run_id,
        hubspot_id=hubspot_id or None,
        genius_id=genius_id or None,
        detail=message or None,
    )
    return row


@dataclass(frozen=True)
class EventFilter:
    """What the log explorer asks for; every field narrows the result."""

    run_id: int | None = None
    level: str = ""  # this level and above
    event_prefix: str = ""  # "deal." matches deal.created, deal.updated ...
    record_id: str = ""  # a HubSpot or Genius id
    text: str = ""  # inside the message
    since: datetime | None = None
    before_id: int | None = None  # paging: events older than this one
    limit: int = 100


def query_events(tenant_id: int, wanted: EventFilter) -> list[LogEvent]:
    statement = select(LogEvent).where(LogEvent.tenant_id == tenant_id)
    if wanted.run_id is not None:
        statement = statement.where(LogEvent.run_id == wanted.run_id)
    if wanted.level in LEVELS:
        allowed = LEVELS[LEVELS.index(wanted.level) :]
        statement = statement.where(col(LogEvent.level).in_(allowed))
    if wanted.event_prefix:
        statement = statement.where(
            col(LogEvent.event).startswith(wanted.event_prefix, autoescape=True)
        )
    if wanted.record_id:
        statement = statement.where(
            (LogEvent.hubspot_id == wanted.record_id)
            | (LogEvent.genius_id == wanted.record_id)
        )
    if wanted.text:
        # autoescape: a "%" or "_" typed in the filter means itself.
        statement = statement.where(
            col(LogEvent.message).contains(wanted.text, autoescape=True)
        )
    if wanted.since is not None:
        statement = statement.where(LogEvent.at >= wanted.since)
    if wanted.before_id is not None:
        statement = statement.where(LogEvent.id < wanted.before_id)
    statement = statement.order_by(col(LogEvent.id).desc()).limit(wanted.limit)
    with session_scope() as session:
        return list(session.exec(statement))
