"""Every error the sync side raises, grouped by what the caller must do.

    ConnectorError                  base; carries tenant and record ids
    ├── ConfigurationError          a setting or tenant configuration is wrong:
    │                               stop, tell the admin what to change
    ├── AuthorizationNeeded         a person must reconnect (HubSpot refresh
    │                               refused, Genius key rejected): pause the tenant
    ├── TenantParked                a limit that will not pass by retrying (daily
    │                               quota): park the tenant until a person looks
    ├── RetriableError              passes with time (429, 5xx, timeouts, locks):
    │   └── RateLimited             retry after `retry_after_s` seconds
    ├── RecordError                 this record cannot sync now: log it, hold the
    │   ├── RecordRejected          record, go on with the rest (the run goes on)
    │   │                           the API refused the record (400/409/422)
    │   └── RecordNotFound          the record is gone on the other side
    └── FatalError                  the run itself cannot continue

The API clients are the only places that catch httpx exceptions; they turn
them into these. An error that came from an HTTP answer carries an
`ApiFailure`: status, category, correlation id, per-field details and the
path (never a query string or a token).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runtime.settings import ConfigurationError as _SettingsConfigurationError


def shorten(value: Any, limit: int = 80) -> str:
    """`repr` of a value cut to `limit` characters, for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class ApiErrorDetail:
    """One problem inside an API error answer (a field, a code, a message)."""

    message: str
    field: str = ""
    code: str = ""


@dataclass
class ApiFailure:
    """What an HTTP answer said, attached to the error raised for it."""

    system: str  # "hubspot" | "genius"
    method: str
    path: str  # without query string
    status: int
    category: str = ""
    correlation_id: str = ""
    details: list[ApiErrorDetail] = field(default_factory=list)
    body_excerpt: str = ""

    def describe(self) -> str:
        head = f"{self.system} {self.method} {self.path} answered {self.status}"
        if self.category:
            head += f" {self.category}"
        if self.correlation_id:
            head += f" (correlation id {self.correlation_id})"
        return head


class ConnectorError(Exception):
    """Base of every error of the sync side."""

    def __init__(
        self,
        message: str,
        *,
        tenant_id: int | None = None,
        object_kind: str = "",
        hubspot_id: str = "",
        genius_id: str = "",
        failure: ApiFailure | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.failure = failure
        self.tenant_id = tenant_id
        self.object_kind = object_kind
        self.hubspot_id = hubspot_id
        self.genius_id = genius_id


class ConfigurationError(ConnectorError, _SettingsConfigurationError):
    """A setting or a tenant's configuration is wrong; retrying will not help."""


class AuthorizationNeeded(ConnectorError):
    """A person must reconnect the system named in `system`."""

    def __init__(self, message: str, *, system: str, **ids: Any) -> None:
        super().__init__(message, **ids)
        self.system = system


class TenantParked(ConnectorError):
    """A limit that retrying will not lift; the tenant waits for a person."""


class RetriableError(ConnectorError):
    """A transient failure; the same call may succeed later."""


class RateLimited(RetriableError):
    def __init__(self, message: str, *, retry_after_s: float, **ids: Any) -> None:
        super().__init__(message, **ids)
        self.retry_after_s = retry_after_s


class RecordError(ConnectorError):
    """One record cannot sync now; the run logs it, holds it and goes on."""


class RecordRejected(RecordError):
    """The API refused the record's data (validation, a business rule)."""


class RecordNotFound(RecordError):
    """The record does not exist (any more) in the system asked."""


class FatalError(ConnectorError):
    """The run cannot continue."""
