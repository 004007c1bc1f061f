"""Sending one HubSpot request: rate limits, token, retries, errors in our terms.

The ladder of a call: `request` books a slot of the portal's shared rate
limit (search has its own), `_send` adds the token and sends once, and
`_judge` returns, waits and tries again, or raises. This is the one place of
the HubSpot side that catches httpx exceptions.

Every call may be repeated, POST and PATCH included: the connector's writes
are idempotent by design (batch updates set values; creates carry the
deal's id in the ERP reference), so a retry after a timeout is safe.
A 401 is answered by one forced refresh of the token; a daily-limit 429
parks the tenant instead of looping.
"""

from __future__ import annotations

import asyncio
import random
import weakref
from dataclasses import dataclass, field
from typing import Any

import httpx
from redis.asyncio import Redis

from runtime.logs import get_logger
from runtime.settings import HubSpotSettings
from sync.errors import (
    ApiFailure,
    AuthorizationNeeded,
    RateLimited,
    RetriableError,
    TenantParked,
)
from sync.hubspot.failures import error_for, failure_of, read_body
from sync.hubspot.tokens import TokenKeeper, mark_reauth_needed
from sync.ratelimit import RateLimiter

log = get_logger(__name__)

TRANSIENT = {423, 477, 500, 502, 503, 504, 521, 523, 524}
# A call booked here reaches HubSpot a little later, and not always equally
# late: windows a shade longer than HubSpot's keep that jitter from turning
# into 429s at the edge of the budget.
GENERAL_WINDOW_S = 10.25
SEARCH_WINDOW_S = 1.1
PARKED_REASON = (
    "HubSpot's daily API limit for this portal is reached; syncing resumes "
    "after midnight in the portal's time zone, when an operator enables it"
)
GONE_REASON = (
    "HubSpot refused a freshly renewed token: the app is no longer installed in "
    "this portal. Install it again from HubSpot to resume syncing."
)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # tries of one call, the first included
    base_s: float = 0.5
    cap_s: float = 20.0
    # The window of each of HubSpot's policies: a 429 without Retry-After
    # waits a growing share of it. Our shared budget already spaces the
    # calls, so a 429 means a small mismatch of clocks, not a flood.
    policy_windows_s: dict[str, float] = field(
        default_factory=lambda: {"TEN_SECONDLY_ROLLING": 10.0, "SECONDLY": 1.0}
    )
    policy_step_s: float = 1.0

    def backoff_s(self, attempt: int) -> float:
        """Exponential backoff with jitter: between half and all of the step."""
        step = min(self.cap_s, self.base_s * 2 ** (attempt - 1))
        return random.uniform(step / 2, step)

    def policy_wait_s(self, policy: str, attempt: int) -> float:
        window = self.policy_windows_s.get(policy)
        if window is None:
            return self.backoff_s(attempt)
        step = min(window, self.policy_step_s * 2 ** (attempt - 1))
        return random.uniform(step / 2, step)


class PortalLimits:
    """HubSpot's per-portal budgets, shared by every worker through Redis."""

    def __init__(self, redis: Redis, hub_id: str, settings: HubSpotSettings) -> None:
        self.general = RateLimiter(
            redis,
            key=f"hubspot:{hub_id}:general",
            limit=settings.general_limit_per_10s,
            window_s=GENERAL_WINDOW_S,
        )
        self.search = RateLimiter(
            redis,
            key=f"hubspot:{hub_id}:search",
            limit=settings.search_limit_per_s,
            window_s=SEARCH_WINDOW_S,
        )

    async def acquire(self, *, search: bool) -> None:
        await (self.search if search else self.general).acquire()


_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
    weakref.WeakKeyDictionary()
)


def shared_http() -> httpx.AsyncClient:
    """The worker's one connection pool (one per event loop); timeouts are per call."""
    loop = asyncio.get_running_loop()
    client = _POOLS.get(loop)
    if client is None or client.is_closed:
        client = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
        )
        _POOLS[loop] = client
    return client


class HubSpotTransport:
    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        keeper: TokenKeeper,
        *,
        limits: PortalLimits | None,
        retry: RetryPolicy,
        tenant_id: int,
        timeout_s: float = 30.0,
    ) -> None:
        self.http = http
        self.timeout = httpx.Timeout(timeout_s, connect=min(10.0, timeout_s))
        self.base_url = base_url.rstrip("/")
        self.keeper = keeper
        self.limits = limits
        self.retry = retry
        self.tenant_id = tenant_id
        self.calls = 0

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        search: bool = False,
        object_kind: str = "",
    ) -> httpx.Response:
        """A 2xx answer (207 included), or a sync error."""
        refreshed = False
        for attempt in range(1, self.retry.attempts + 1):
            if self.limits is not None:
                await self.limits.acquire(search=search)
            token = await self.keeper.access_token()
            try:
                response = await self._send(method, path, token, params, json)
            except httpx.TimeoutException as error:
                failure = ApiFailure("hubspot", method, path, 0, category="TIMEOUT")
                wait_s = self.retry.backoff_s(attempt)
                last: Exception = RetriableError(
                    f"hubspot {method} {path} timed out ({type(error).__name__})",
                    tenant_id=self.tenant_id,
                    failure=failure,
                )
            except httpx.TransportError as error:
                wait_s = self.retry.backoff_s(attempt)
                last = RetriableError(
                    f"hubspot {method} {path} could not be reached "
                    f"({type(error).__name__})",
                    tenant_id=self.tenant_id,
                )
            else:
                if response.status_code < 300:
                    return response
                if response.status_code == 401 and not refreshed:
                    refreshed = True
                    await self.keeper.refresh(stale_access_token=token)
                    continue
                wait_s, last = self._judge(method, path, response, attempt, object_kind)
            if attempt == self.retry.attempts:
                raise last
            log.warning(
                "hubspot.retry",
                tenant_id=self.tenant_id,
                method=method,
                path=path,
                attempt=attempt,
                wait_s=round(wait_s, 2),
                reason=str(last)[:160],
            )
            await asyncio.sleep(wait_s)
        raise AssertionError("unreachable: the loop returns or raises")

    async def _send(
        self, method: str, path: str, token: str, params: Any, json: Any
    ) -> httpx.Response:
        self.calls += 1
        return await self.http.request(
            method,
            self.base_url + path,
            params=params,
            json=json,
            headers={"Authorization": f"Bearer {token}"},
            timeout=self.timeout,
        )

    def _judge(
        self,
        method: str,
        path: str,
        response: httpx.Response,
        attempt: int,
        object_kind: str,
    ) -> tuple[float, Exception]:
        """(seconds to wait, error if no try is left), or raise right away."""
        status = response.status_code
        body = read_body(response)
        failure = failure_of(method, path, status, body, response.headers)
        ids = {"tenant_id": self.tenant_id, "failure": failure}
        retry_after_s = parse_retry_after(response.headers.get("retry-after"))
        if status == 429:
            policy = str(body.get("policyName", ""))
            if policy == "DAILY":
                raise TenantParked(PARKED_REASON, **ids)
            wait_s = retry_after_s or self.retry.policy_wait_s(policy, attempt)
            message = f"HubSpot rate limit {policy or 'unknown'} on {method} {path}"
            return wait_s, RateLimited(message, retry_after_s=wait_s, **ids)
        if status in TRANSIENT:
            wait_s = retry_after_s or self.retry.backoff_s(attempt)
            return wait_s, RetriableError(f"{failure.describe()}; retry later", **ids)
        if status == 401:
            mark_reauth_needed(self.tenant_id, GONE_REASON)
            raise AuthorizationNeeded(GONE_REASON, system="hubspot", **ids)
        raise error_for(failure, tenant_id=self.tenant_id, object_kind=object_kind)


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds; HubSpot's REST 429s rarely send it."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
