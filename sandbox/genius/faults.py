"""Faults a test or a demo can turn on: errors, latency, 429 storms, maintenance.

The gate runs before every API request, in the order a real installation
would answer: maintenance first (the whole server is down), then the
credentials, then the rate limit, then random errors and latency.
"""

from __future__ import annotations

import random
import time
from collections import deque
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class Faults:
    """The faults in force; `GET /_sandbox/faults` shows them as they are here."""

    error_rate: float = 0.0
    latency_ms: int = 0
    rate_limit_per_s: int = 20
    storm_429: int = 0
    storm_retry_after_s: int = 1
    maintenance: bool = False
    maintenance_retry_after_s: int = 30
    webhook_failure_rate: float = 0.0
    webhook_duplicate_rate: float = 0.0
    webhook_backoff_s: float = 30.0
    webhook_attempts: int = 8

    def update(self, changes: dict[str, Any]) -> list[str]:
        """Apply known keys; return the unknown or ill-typed ones."""
        types = {f.name: type(getattr(self, f.name)) for f in fields(self)}
        refused = []
        for key, value in changes.items():
            kind = types.get(key)
            if kind is None or isinstance(value, bool) != (kind is bool):
                refused.append(key)
                continue
            try:
                setattr(self, key, kind(value))
            except (TypeError, ValueError):
                refused.append(key)
        return refused

    def describe(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Refusal:
    """An answer the gate gives instead of the API."""

    status: int
    code: str
    message: str
    retry_after_s: int | None = None


class FaultGate:
    """Decides, per request, whether a fault answers instead of the API."""

    def __init__(self, faults: Faults, rng: random.Random) -> None:
        self.faults = faults
        self.rng = rng
        self._recent: dict[str, deque[float]] = {}

    def before_auth(self) -> Refusal | None:
        if self.faults.maintenance:
            return Refusal(
                503,
                "maintenance",
                "Genius is in maintenance; try again later",
                self.faults.maintenance_retry_after_s,
            )
        return None

    def after_auth(self, api_key: str) -> Refusal | None:
        if self.faults.storm_429 > 0:
            self.faults.storm_429 -= 1
            return self._too_many(self.faults.storm_retry_after_s)
        if not self._admit(api_key):
            return self._too_many(1)
        if self.faults.error_rate and self.rng.random() < self.faults.error_rate:
            return Refusal(500, "internal_error", "Genius failed to answer")
        return None

    @property
    def latency_s(self) -> float:
        return self.faults.latency_ms / 1000

    def _admit(self, api_key: str) -> bool:
        now = time.monotonic()
        recent = self._recent.setdefault(api_key, deque())
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        if len(recent) >= self.faults.rate_limit_per_s:
            return False
        recent.append(now)
        return True

    def _too_many(self, retry_after_s: int) -> Refusal:
        return Refusal(
            429,
            "rate_limited",
            "too many requests for this API key; wait for Retry-After",
            retry_after_s,
        )
