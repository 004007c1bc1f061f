"""How one Genius installation spells its API: paths, headers, parameter names.

The defaults follow `docs/genius-erp-api.md`. An installation that differs
(another prefix, another header for the key) gets a profile with its own
values, stored with the tenant's connection; no code changes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import quote

from sync.errors import ConfigurationError

DEFAULT_PATHS = {
    "company": "/company",
    "customers": "/customers",
    "customer": "/customers/{code}",
    "items": "/items",
    "item": "/items/{code}",
    "quotes": "/quotes",
    "quote": "/quotes/{number}",
    "quote_statuses": "/metadata/quote-statuses",
    "fields": "/metadata/fields/{resource}",
    "webhook_subscription": "/webhooks/subscription",
}


# TODO: no screen edits a profile yet; an installation that differs from the
# defaults is connected from Python with save_connection(..., profile=...).
@dataclass(frozen=True)
class GeniusProfile:
    """The API's spelling at one installation; every value has a default."""

    api_prefix: str = "/api/v1"
    api_key_header: str = "X-Genius-Api-Key"
    company_header: str = "X-Genius-Company"
    signature_header: str = "X-Genius-Signature"
    timestamp_header: str = "X-Genius-Timestamp"
    delivery_header: str = "X-Genius-Delivery"
    modified_since_param: str = "modifiedSince"
    page_param: str = "page"
    page_size_param: str = "pageSize"
    external_reference_param: str = "externalReference"
    page_size: int = 200
    max_page_size: int = 500
    # None: the GENIUS_REQUESTS_PER_S setting.
    requests_per_s: float | None = None
    paths: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PATHS))

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> GeniusProfile:
        """A profile from stored values; unknown keys are a configuration error."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigurationError(
                f"the Genius profile has unknown settings {unknown!r}; "
                f"use only {sorted(known)}"
            )
        paths = {**DEFAULT_PATHS, **values.pop("paths", {})}
        profile = cls(paths=paths, **values)
        if not 1 <= profile.page_size <= profile.max_page_size:
            raise ConfigurationError(
                f"Genius page size {profile.page_size!r} is out of range: "
                f"choose 1 to {profile.max_page_size}"
            )
        return profile

    def to_dict(self) -> dict[str, Any]:
        """Only the values that differ from the defaults."""
        default = asdict(GeniusProfile())
        mine = asdict(self)
        changed = {k: v for k, v in mine.items() if k != "paths" and v != default[k]}
        paths = {k: v for k, v in self.paths.items() if DEFAULT_PATHS.get(k) != v}
        return changed | ({"paths": paths} if paths else {})

    def path(self, name: str, **values: str) -> str:
        """The full path of endpoint `name`, its placeholders filled in."""
        escaped = {key: quote(value, safe="") for key, value in values.items()}
        return self.api_prefix.rstrip("/") + self.paths[name].format(**escaped)
