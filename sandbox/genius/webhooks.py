"""Webhook deliveries: signed, timestamped, at least once, retried with backoff.

Each company has at most one subscription (URL, events, shared secret). An
event becomes a pending delivery; the dispatcher posts it, and on anything
but a 2xx answer tries again after `webhook_backoff_s`, doubling each time,
up to `webhook_attempts` attempts. A retry keeps its event id and gets a
fresh timestamp and signature. Pending deliveries are part of the saved
state, so a restart of the sandbox still delivers them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import ipaddress
import secrets
import time
import uuid
from random import Random
from typing import Any
from urllib.parse import urlsplit

import httpx

from sandbox.genius import jsonio
from sandbox.genius.faults import Faults
from sandbox.genius.state import Company, SandboxState

EVENTS = (
    "quote.created",
    "quote.updated",
    "quote.status_changed",
    "customer.created",
    "customer.updated",
)
SIGNATURE_HEADER = "X-Genius-Signature"
TIMESTAMP_HEADER = "X-Genius-Timestamp"
DELIVERY_HEADER = "X-Genius-Delivery"
EVENT_HEADER = "X-Genius-Event"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>`."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_subscription(fields: dict[str, Any], *, allow_remote: bool) -> dict[str, Any]:
    """A subscription from a PUT body; ValueError(field, code, message) if bad."""
    url = fields.get("Url")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("Url", "invalid_format", "Url must be an http(s) URL")
    if not allow_remote and not is_loopback_url(url):
        raise ValueError(
            "Url",
            "invalid_url",
            "the sandbox delivers to loopback only; start it with "
            "--allow-remote-webhooks to deliver elsewhere",
        )
    events = fields.get("Events", list(EVENTS))
    if not isinstance(events, list) or not set(events) <= set(EVENTS):
        raise ValueError("Events", "invalid_choice", f"Events are among {EVENTS}")
    secret = fields.get("Secret") or secrets.token_urlsafe(32)
    if not isinstance(secret, str) or len(secret) < 16:
        raise ValueError("Secret", "too_short", "Secret needs 16 characters or more")
    return {"Id": uuid.uuid4().hex, "Url": url, "Events": events, "Secret": secret}


class Dispatcher:
    """Queues events of the companies and delivers them in the background."""

    def __init__(self, state: SandboxState, faults: Faults, rng: Random) -> None:
        self.state = state
        self.faults = faults
        self.rng = rng
        self._wake = asyncio.Event()

    def publish(
        self,
        company: Company,
        event: str,
        data: dict[str, Any],
        *,
        changed_by: dict[str, str],
    ) -> None:
        """Queue `event` for the company's subscription, if it wants it.

        `changed_by` is the audit of the write (`{"Type", "Id"}`): a receiver
        tells its own writes from everyone else's by it.
        """
        subscription = company.webhook
        if not subscription or event not in subscription["Events"]:
            return
        body = {
            "EventId": uuid.uuid4().hex,
            "Event": event,
            "Company": company.code,
            "OccurredAt": company.now_text(self.state.clock),
            "ChangedBy": changed_by,
            "Data": data,
        }
        self.state.pending.append(
            {
                "event_id": body["EventId"],
                "event": event,
                "company": company.code,
                "url": subscription["Url"],
                "secret": subscription["Secret"],
                "body": jsonio.dumps(body),
                "attempt": 0,
                "next_at": 0.0,
            }
        )
        self.state.dirty = True
        self._wake.set()

    def flush(self) -> int:
        for delivery in self.state.pending:
            delivery["next_at"] = 0.0
        self._wake.set()
        return len(self.state.pending)

    async def run(self) -> None:
        """Deliver due deliveries until cancelled."""
        async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:
            while True:
                due = [d for d in self.state.pending if d["next_at"] <= time.time()]
                for delivery in due:
                    await self._attempt(client, delivery)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._pause_s())

    def _pause_s(self) -> float:
        waits = [d["next_at"] - time.time() for d in self.state.pending]
        return min([1.0, *waits]) if waits else 1.0

    async def _attempt(
        self, client: httpx.AsyncClient, delivery: dict[str, Any]
    ) -> None:
        delivery["attempt"] += 1
        status, error = await self._send(client, delivery)
        delivered = status is not None and 200 <= status < 300
        outcome = "delivered" if delivered else "failed"
        if not delivered and delivery["attempt"] >= self.faults.webhook_attempts:
            outcome = "gave_up"
        self._log(delivery, status, error, outcome)

        if outcome == "failed":
            backoff_s = self.faults.webhook_backoff_s * 2 ** (delivery["attempt"] - 1)
            delivery["next_at"] = time.time() + backoff_s
        else:
            self.state.pending[:] = [d for d in self.state.pending if d is not delivery]
        if delivered and self._chance(self.faults.webhook_duplicate_rate):
            # At least once: the same event id may well arrive twice.
            self.state.pending.append(delivery | {"next_at": 0.0})
        self.state.dirty = True

    async def _send(
        self, client: httpx.AsyncClient, delivery: dict[str, Any]
    ) -> tuple[int | None, str]:
        if self._chance(self.faults.webhook_failure_rate):
            return None, "injected failure"
        body = delivery["body"].encode()
        timestamp = int(self.state.clock.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: delivery["event"],
            DELIVERY_HEADER: delivery["event_id"],
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(delivery["secret"], timestamp, body),
        }
        try:
            response = await client.post(delivery["url"], content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, type(exc).__name__
        return response.status_code, ""

    def _chance(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate

    def _log(
        self, delivery: dict[str, Any], status: int | None, error: str, outcome: str
    ) -> None:
        self.state.deliveries.append(
            {
                "EventId": delivery["event_id"],
                "Event": delivery["event"],
                "Company": delivery["company"],
                "Url": delivery["url"],
                "Attempt": delivery["attempt"],
                "At": self.state.clock.now().isoformat(timespec="milliseconds"),
                "Status": status,
                "Error": error,
                "Outcome": outcome,
            }
        )
