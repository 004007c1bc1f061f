"""Fault injection: what tests and benchmarks make the sandbox do wrong on purpose.

Set through `PUT /_sandbox/faults` with any subset of the fields below;
`GET` returns the current values. Everything is off by default except the
rate limits, which are on with HubSpot's own numbers.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sandbox.hubspot.errors import ApiError

TRANSIENT_MESSAGES = {
    423: "The resource is locked by a concurrent request; retry after 2 seconds.",
    429: "You have reached your ten_secondly_rolling limit.",
    500: "internal error",
    502: "Bad Gateway: the upstream did not answer in time.",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    524: "A timeout occurred.",
}


@dataclass
class Faults:
    # API calls ----------------------------------------------------------------
    error_rate: float = 0.0  # share of API calls answered with an error status
    error_statuses: list[int] = field(default_factory=lambda: [502, 503, 504])
    latency_ms: int = 0  # added to every API call
    storm_429: int = 0  # the next N API calls get a 429
    storm_policy: str = "TEN_SECONDLY_ROLLING"  # or SECONDLY, DAILY
    retry_after_s: float | None = None  # a Retry-After header on injected 429s
    daily_limit_reached: bool = False  # every call: 429 with policyName DAILY
    not_found_empty_body: bool = False  # 404 on a record read with no JSON body
    # Rate limits (HubSpot's numbers for Marketplace apps) ----------------------
    rate_limits: bool = True
    general_limit: int = 110
    general_window_ms: int = 10_000
    search_limit: int = 5
    search_window_ms: int = 1_000
    # Search and records --------------------------------------------------------
    index_delay_ms: int = 0  # how long a write stays invisible to search
    search_max_filter_groups: int = 5
    search_max_filters_per_group: int = 6
    search_max_filters: int = 18
    merge_new_id: bool = False  # a merge gives the survivor a brand-new id
    resolve_merged_ids: bool = False  # reading a merged-away id answers the survivor
    # OAuth ---------------------------------------------------------------------
    token_ttl_s: int = 1800  # HubSpot's access tokens live 30 minutes
    rotate_refresh_tokens: bool = False  # HubSpot has been seen to keep the same one
    deny_consent: bool = False  # authorize redirects back with error=access_denied
    # Webhooks ------------------------------------------------------------------
    webhook_batch_window_ms: int = 50  # events that close together share a request
    webhook_duplicate_rate: float = 0.0  # share of requests delivered twice
    webhook_shuffle: bool = False  # events of a request in random order
    webhook_retry_delays_s: list[float] = field(
        default_factory=lambda: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    )
    webhook_timeout_s: float = 5.0

    def update(self, changes: dict[str, Any]) -> None:
        known = {item.name: item for item in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise ApiError(
                    400,
                    "VALIDATION_ERROR",
                    f"unknown fault {name!r}; known: {', '.join(sorted(known))}",
                )
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    async def before_call(self) -> None:
        """Delay, storm or fail the call about to be served."""
        if self.latency_ms:
            await asyncio.sleep(self.latency_ms / 1000)
        if self.daily_limit_reached:
            raise rate_limit_error("DAILY", None)
        if self.storm_429 > 0:
            self.storm_429 -= 1
            raise rate_limit_error(self.storm_policy, self.retry_after_s)
        if self.error_rate and random.random() < self.error_rate:
            status = random.choice(self.error_statuses)
            if status == 429:
                raise rate_limit_error(self.storm_policy, self.retry_after_s)
            raise ApiError(
                status, "INTERNAL_ERROR", TRANSIENT_MESSAGES.get(status, "error")
            )


_POLICY_MESSAGES = {
    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
    "SECONDLY": "You have reached your secondly limit.",
    "DAILY": "You have reached your daily limit.",
}


def rate_limit_error(policy: str, retry_after_s: float | None) -> ApiError:
    """HubSpot's 429: `errorType` and `policyName` instead of a category."""
    headers = {}
    if retry_after_s is not None:
        headers["Retry-After"] = f"{retry_after_s:g}"
    return ApiError(
        429,
        "",
        _POLICY_MESSAGES.get(policy, f"You have reached your {policy} limit."),
        headers=headers,
        extra={
            "errorType": "RATE_LIMIT",
            "policyName": policy,
            "requestId": str(uuid.uuid4()),
        },
    )
