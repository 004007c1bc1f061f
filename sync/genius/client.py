"""The Genius ERP client the sync engine and the settings page use.

One client talks to one company of one installation. Records come back as
raw Genius JSON (PascalCase keys, Decimal numbers, `ModifiedAt` as local
text); turning them into canonical values is the mapping's work. Reads of
a single record answer None when Genius has no such record; writes raise
`RecordRejected` with Genius's field list when it refuses them.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import httpx
from redis.asyncio import Redis

from runtime.logs import get_logger
from runtime.settings import get_settings
from sync.errors import RecordNotFound
from sync.genius.addresses import AddressPolicy
from sync.genius.network import guarded_transport
from sync.genius.paging import RecordStream
from sync.genius.profile import GeniusProfile
from sync.genius.timestamps import modified_at, since_text
from sync.genius.transport import GeniusTransport, RetryPolicy
from sync.ratelimit import RateLimiter

log = get_logger(__name__)

USER_AGENT = "genius-hubspot-connector/0.1"


class GeniusClient:
    """Calls to one Genius company; use it as an async context manager."""

    def __init__(
        self,
        base_url: str,
        company: str,
        api_key: str,
        *,
        timezone: str = "America/Toronto",
        profile: GeniusProfile | None = None,
        redis: Redis | None = None,
        tenant_id: int | None = None,
        retry: RetryPolicy | None = None,
        policy: AddressPolicy | None = None,
        timeout_s: float | None = None,
        verify: Any = True,
    ) -> None:
        settings = get_settings().genius
        self.profile = profile or GeniusProfile()
        self.company = company
        self.timezone = timezone
        headers = {
            self.profile.api_key_header: api_key,
            self.profile.company_header: company,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=timeout_s or settings.timeout_s,
            transport=guarded_transport(
                policy or AddressPolicy.from_settings(), verify=verify
            ),
            follow_redirects=False,
            # A proxy from the environment would connect on our behalf,
            # around the address checks of the transport.
            trust_env=False,
        )
        limiter = None
        if redis is not None:
            limiter = tenant_limiter(
                redis, tenant_id, self.profile.requests_per_s or settings.requests_per_s
            )
        self._transport = GeniusTransport(
            self._http,
            limiter=limiter,
            retry=retry,
            tenant_id=tenant_id,
            company=company,
        )

    async def __aenter__(self) -> GeniusClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def calls(self) -> int:
        """HTTP calls made so far (retries included), for run statistics."""
        return self._transport.calls

    async def get_company(self) -> dict[str, Any]:
        """The company's name, timezone, currency and language; adopts its timezone."""
        company = await self._call("GET", self.profile.path("company"))
        if company.get("TimeZone"):
            self.timezone = company["TimeZone"]
        return company

    def iter_customers(self, modified_since: datetime | None = None) -> RecordStream:
        return self._stream("customers", "Code", modified_since)

    async def get_customer(self, code: str) -> dict[str, Any] | None:
        return await self._get_or_none(self.profile.path("customer", code=code))

    async def create_customer(self, fields: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", self.profile.path("customers"), body=fields)

    async def update_customer(
        self, code: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        path = self.profile.path("customer", code=code)
        return await self._call("PATCH", path, body=changes)

    def iter_items(self, modified_since: datetime | None = None) -> RecordStream:
        return self._stream("items", "Code", modified_since)

    def iter_quotes(self, modified_since: datetime | None = None) -> RecordStream:
        return self._stream("quotes", "Number", modified_since)

    async def find_quote_by_reference(
        self, external_reference: str
    ) -> dict[str, Any] | None:
        """The quote carrying `external_reference`; the oldest if several do."""
        params = {
            self.profile.external_reference_param: external_reference,
            self.profile.page_size_param: self.profile.max_page_size,
        }
        answer = await self._call("GET", self.profile.path("quotes"), params=params)
        quotes = [
            q
            for q in answer.get("Data", [])
            if q.get("ExternalReference") == external_reference
        ]
        if len(quotes) > 1:
            log.warning(
                "genius.duplicate_reference",
                reference=external_reference,
                numbers=[q["Number"] for q in quotes],
            )
        return min(quotes, key=lambda q: q["Number"], default=None)

    async def get_quote(self, number: str) -> dict[str, Any] | None:
        return await self._get_or_none(self.profile.path("quote", number=number))

    async def create_quote(self, fields: dict[str, Any]) -> dict[str, Any]:
        """A new quote (with its `Lines`); Genius assigns the number."""
        return await self._call("POST", self.profile.path("quotes"), body=fields)

    async def update_quote(
        self, number: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """A partial update; `Lines`, when given, replaces every line."""
        path = self.profile.path("quote", number=number)
        return await self._call("PATCH", path, body=changes)

    async def quote_statuses(self) -> list[dict[str, Any]]:
        return await self._call("GET", self.profile.path("quote_statuses"))

    async def fields(self, resource: str) -> list[dict[str, Any]]:
        """Field metadata of customers, items, quotes or quote-lines."""
        return await self._call("GET", self.profile.path("fields", resource=resource))

    async def subscribe_webhooks(
        self, url: str, secret: str, events: list[str] | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"Url": url, "Secret": secret}
        if events is not None:
            body["Events"] = events
        path = self.profile.path("webhook_subscription")
        return await self._call("PUT", path, body=body)

    async def unsubscribe_webhooks(self) -> None:
        path = self.profile.path("webhook_subscription")
        try:
            await self._call("DELETE", path)
        except RecordNotFound:
            return

    def modified_at(
        self, record: dict[str, Any], *, not_before: datetime | None = None
    ) -> datetime:
        """The UTC instant of a record's `ModifiedAt` (see sync.genius.timestamps)."""
        return modified_at(record["ModifiedAt"], self.timezone, not_before=not_before)

    def _stream(
        self, resource: str, key: str, modified_since: datetime | None
    ) -> RecordStream:
        since = None
        if modified_since is not None:
            since = since_text(modified_since, self.timezone)
        path = self.profile.path(resource)
        size = self.profile.page_size

        async def fetch(since_text: str | None, page: int) -> dict[str, Any]:
            params: dict[str, Any] = {
                self.profile.page_param: page,
                self.profile.page_size_param: size,
            }
            if since_text is not None:
                params[self.profile.modified_since_param] = since_text
            return await self._call("GET", path, params=params)

        return RecordStream(fetch, key=key, since=since, page_size=size)

    async def _get_or_none(self, path: str) -> dict[str, Any] | None:
        try:
            return await self._call("GET", path)
        except RecordNotFound:
            return None

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        return await self._transport.request(method, path, params=params, body=body)


def tenant_limiter(
    redis: Redis, tenant_id: int | None, requests_per_s: float
) -> RateLimiter:
    """The tenant's Genius rate limit, shared by every worker through Redis."""
    if requests_per_s >= 1:
        limit, window_s = math.floor(requests_per_s), 1.0
    else:
        limit, window_s = 1, 1 / requests_per_s
    return RateLimiter(redis, key=f"genius:{tenant_id}", limit=limit, window_s=window_s)
