"""The tables. Every row but an operator's carries the tenant it belongs to.

Plain SQLModel classes (no Reflex): the worker and Alembic import them alone.
Ids from HubSpot stay strings; times are aware UTC datetimes; mapping
documents and snapshots are JSON.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime, utcnow


def _time(*, nullable: bool, **kwargs: Any) -> Any:
    column = Column(UTCDateTime(), nullable=nullable, **kwargs)
    if nullable:
        return Field(default=None, sa_column=column)
    return Field(default_factory=utcnow, sa_column=column)


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class TenantStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"  # an operator paused it
    REAUTH_NEEDED = "reauth_needed"  # HubSpot refused the refresh token
    PARKED = "parked"  # a daily limit or the ERP refused us; waits for a person
    UNINSTALLED = "uninstalled"


class Tenant(SQLModel, table=True):
    """One installed HubSpot portal and the Genius company it syncs with."""

    id: int | None = Field(default=None, primary_key=True)
    hub_id: str = Field(index=True, unique=True, max_length=32)
    name: str = Field(max_length=200)
    hub_domain: str = Field(default="", max_length=200)
    status: str = Field(default=TenantStatus.ACTIVE, max_length=20)
    status_reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    installed_by: str = Field(default="", max_length=200)
    scopes: str = Field(default="", sa_column=Column(Text, nullable=False))
    genius_base_url: str = Field(default="", max_length=500)
    genius_company: str = Field(default="", max_length=50)
    genius_timezone: str = Field(default="America/Toronto", max_length=64)
    schedule_interval_min: int | None = Field(default=None)
    next_run_at: datetime | None = _time(nullable=True)
    mapping: dict[str, Any] = _json()
    created_at: datetime = _time(nullable=False)
    updated_at: datetime = _time(nullable=False, onupdate=utcnow)
    uninstalled_at: datetime | None = _time(nullable=True)
    purge_after: datetime | None = _time(nullable=True)


class CredentialKind(StrEnum):
    HUBSPOT = "hubspot"  # OAuth tokens of the portal
    GENIUS = "genius"  # the Genius API key
    GENIUS_WEBHOOK = "genius_webhook"  # the secret Genius signs its webhooks with


class Credential(SQLModel, table=True):
    """A tenant's secret, encrypted at rest (see store.crypto)."""

    __table_args__ = (UniqueConstraint("tenant_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=32)
    ciphertext: str = Field(sa_column=Column(Text, nullable=False))
    # A hint safe to show (last characters of a key), never the secret itself.
    hint: str = Field(default="", max_length=32)
    expires_at: datetime | None = _time(nullable=True)
    updated_at: datetime = _time(nullable=False, onupdate=utcnow)


class LinkKind(StrEnum):
    COMPANY = "company"  # HubSpot company <-> Genius customer
    DEAL = "deal"  # HubSpot deal <-> Genius quote (lines travel inside)


class Link(SQLModel, table=True):
    """A HubSpot record paired with a Genius record, and what both last agreed on."""

    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "hubspot_id"),
        UniqueConstraint("tenant_id", "kind", "genius_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)
    hubspot_id: str = Field(max_length=32)
    genius_id: str = Field(max_length=64)
    # Canonical values of each mapped field as both sides last agreed on them.
    snapshot: dict[str, Any] = _json()
    hubspot_modified_at: datetime | None = _time(nullable=True)
    genius_modified_at: datetime | None = _time(nullable=True)
    created_at: datetime = _time(nullable=False)
    updated_at: datetime = _time(nullable=False, onupdate=utcnow)


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"  # every record synced
    PARTIAL = "partial"  # the run finished; some records wait with an error
    FAILED = "failed"  # the run itself stopped


class SyncRun(SQLModel, table=True):
    """One sync of one tenant: why it ran, how far it got, what it did."""

    __table_args__ = (Index("ix_syncrun_tenant_queued", "tenant_id", "queued_at"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", ondelete="CASCADE")
    trigger: str = Field(max_length=32)  # manual | schedule | hubspot_webhook | ...
    status: str = Field(default=RunStatus.QUEUED, max_length=20)
    job_id: str = Field(default="", max_length=100)
    queued_at: datetime = _time(nullable=False)
    started_at: datetime | None = _time(nullable=True)
    finished_at: datetime | None = _time(nullable=True)
    progress_done: int = 0
    progress_total: int = 0
    phase: str = Field(default="", max_length=100)
    counts: dict[str, int] = _json()
    api_calls: dict[str, int] = _json()
    error: str = Field(default="", sa_column=Column(Text, nullable=False))


class LogEvent(SQLModel, table=True):
    """One decision or incident, structured so the portal can filter on it."""

    __table_args__ = (
        Index("ix_logevent_tenant_at", "tenant_id", "at"),
        Index("ix_logevent_run", "run_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", ondelete="CASCADE")
    run_id: int | None = Field(default=None, foreign_key="syncrun.id")
    at: datetime = _time(nullable=False)
    level: str = Field(default="info", max_length=10)
    event: str = Field(max_length=100)  # short dotted phrase: deal.created
    object_kind: str = Field(default="", max_length=20)
    hubspot_id: str = Field(default="", max_length=32)
    genius_id: str = Field(default="", max_length=64)
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    data: dict[str, Any] = _json()


class Cursor(SQLModel, table=True):
    """High-water mark of last-modified time per tenant and object stream."""

    tenant_id: int = Field(
        foreign_key="tenant.id", primary_key=True, ondelete="CASCADE"
    )
    stream: str = Field(primary_key=True, max_length=32)  # hubspot.deals, genius.quotes
    high_water: datetime | None = _time(nullable=True)
    updated_at: datetime = _time(nullable=False, onupdate=utcnow)


class ReviewKind(StrEnum):
    IDENTITY = "identity"  # several Genius customers could be this company
    CONFLICT = "conflict"  # both sides changed a field held for review
    RECORD_ERROR = "record_error"  # the record cannot sync until its data is fixed


class ReviewItem(SQLModel, table=True):
    """Something held for a person instead of guessed; a record waits on it."""

    __table_args__ = (Index("ix_reviewitem_tenant_status", "tenant_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", ondelete="CASCADE")
    kind: str = Field(max_length=20)
    object_kind: str = Field(default="", max_length=20)
    hubspot_id: str = Field(default="", max_length=32)
    genius_id: str = Field(default="", max_length=64)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    data: dict[str, Any] = _json()
    status: str = Field(default="open", max_length=20)  # open | resolved | dismissed
    created_at: datetime = _time(nullable=False)
    resolved_at: datetime | None = _time(nullable=True)
    resolved_by: str = Field(default="", max_length=200)


class Operator(SQLModel, table=True):
    """A person of the integrator who signs into the admin portal."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True, max_length=200)
    password_hash: str = Field(max_length=300)
    created_at: datetime = _time(nullable=False)
