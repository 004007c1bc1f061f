"""The webhook sender: events to each installed app's target URL, signed.

Changes that happen close together travel in one request of at most 100
events. A request succeeds on any 2xx within the timeout; otherwise it is
tried again after each delay of `webhook_retry_delays_s` (HubSpot: ten
tries over about a day; tests compress the schedule). Faults can deliver a
request twice or shuffle its events, as HubSpot guarantees neither order
nor uniqueness.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import random
import re
import time
from typing import TYPE_CHECKING, Any

import httpx

from sandbox.hubspot import catalog
from sandbox.hubspot.registry import App
from sandbox.hubspot.world import Change

if TYPE_CHECKING:
    from sandbox.hubspot.app import Sandbox

BATCH_LIMIT = 100
# HubSpot signs the URI with these escapes decoded and every other kept.
_DECODED = {
    "3A": ":",
    "2F": "/",
    "3F": "?",
    "40": "@",
    "21": "!",
    "24": "$",
    "27": "'",
    "28": "(",
    "29": ")",
    "2A": "*",
    "2C": ",",
    "3B": ";",
}
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


def signing_uri(url: str) -> str:
    return _ESCAPE.sub(lambda m: _DECODED.get(m.group(1).upper(), m.group(0)), url)


def sign_v3(secret: str, method: str, url: str, body: bytes, timestamp_ms: str) -> str:
    source = (
        method.upper().encode()
        + signing_uri(url).encode()
        + body
        + timestamp_ms.encode()
    )
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign_v1(secret: str, body: bytes) -> str:
    return hashlib.sha256(secret.encode() + body).hexdigest()


def signed_headers(app: App, method: str, url: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time() * 1000))
    return {
        "Content-Type": "application/json",
        "X-HubSpot-Request-Timestamp": timestamp,
        "X-HubSpot-Signature-v3": sign_v3(
            app.client_secret, method, url, body, timestamp
        ),
        "X-HubSpot-Signature": sign_v1(app.client_secret, body),
        "X-HubSpot-Signature-Version": "v1",
    }


class WebhookSender:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.queues: dict[tuple[int, int], list[dict[str, Any]]] = {}
        self.deliveries: list[dict[str, Any]] = []  # every attempt, for tests
        self.next_event_id = random.randint(1_000_000, 9_000_000)
        self.in_flight: set[asyncio.Task[None]] = set()
        self.gates: dict[tuple[int, int], asyncio.Semaphore] = {}
        self.client: httpx.AsyncClient | None = None
        self.loop_task: asyncio.Task[None] | None = None

    # collecting ----------------------------------------------------------------

    def on_change(self, hub_id: int, change: Change) -> None:
        world = self.sandbox.world
        kind = catalog.OBJECT_TYPES[change.object_type]
        for app in world.apps.values():
            if not app.webhook_url or (app.app_id, hub_id) not in world.installs:
                continue
            for subscription in app.subscriptions:
                if _subscribed(subscription, kind, change):
                    self._queue(app, hub_id, _event(subscription, kind, change))

    def app_event(self, app: App, hub_id: int, action: str) -> None:
        """An app lifecycle event (uninstall), modelled on HubSpot's journal."""
        event = {
            "subscriptionId": 0,
            "occurredAt": int(time.time() * 1000),
            "subscriptionType": "APP_LIFECYCLE_EVENT",
            "action": action,
            "objectId": hub_id,
            "changeSource": "CRM_UI",
        }
        self._queue(app, hub_id, event)

    def _queue(self, app: App, hub_id: int, event: dict[str, Any]) -> None:
        self.next_event_id += 1
        event.update(
            eventId=self.next_event_id,
            portalId=hub_id,
            appId=app.app_id,
            attemptNumber=0,
        )
        self.queues.setdefault((app.app_id, hub_id), []).append(event)

    # sending -------------------------------------------------------------------

    async def start(self) -> None:
        self.client = httpx.AsyncClient()
        self.loop_task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self.loop_task is not None:
            self.loop_task.cancel()
        for task in list(self.in_flight):
            task.cancel()
        if self.client is not None:
            await self.client.aclose()

    async def _run(self) -> None:
        last = time.monotonic()
        while True:
            # Short ticks, so a new batch window applies at once.
            await asyncio.sleep(0.01)
            window_s = self.sandbox.faults.webhook_batch_window_ms / 1000
            if time.monotonic() - last >= window_s:
                last = time.monotonic()
                self.dispatch()

    def dispatch(self) -> None:
        """Start a request for every queued batch."""
        for key, events in list(self.queues.items()):
            while events:
                batch, events[:] = events[:BATCH_LIMIT], events[BATCH_LIMIT:]
                self._spawn(self._deliver(key, batch, 0))
            del self.queues[key]

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def flush(self) -> None:
        """Send everything queued; wait for the answers and any retries."""
        self.dispatch()
        while self.in_flight:
            await asyncio.gather(*list(self.in_flight), return_exceptions=True)

    async def _deliver(
        self, key: tuple[int, int], batch: list[dict[str, Any]], attempt: int
    ) -> None:
        app = self.sandbox.world.apps.get(key[0])
        if app is None or not app.webhook_url:
            return
        faults = self.sandbox.faults
        events = [dict(event, attemptNumber=attempt) for event in batch]
        if faults.webhook_shuffle:
            random.shuffle(events)
        gate = self.gates.setdefault(key, asyncio.Semaphore(app.max_concurrent))
        async with gate:
            ok = await self._post(app, events, attempt)
            if ok and random.random() < faults.webhook_duplicate_rate:
                await self._post(app, events, attempt)
        delays = faults.webhook_retry_delays_s
        if not ok and attempt < len(delays):
            await asyncio.sleep(delays[attempt])
            self._spawn(self._deliver(key, batch, attempt + 1))

    async def _post(self, app: App, events: list[dict[str, Any]], attempt: int) -> bool:
        body = json.dumps(events, separators=(",", ":")).encode()
        headers = signed_headers(app, "POST", app.webhook_url, body)
        record: dict[str, Any] = {
            "url": app.webhook_url,
            "attempt": attempt,
            "events": events,
            "status": None,
        }
        self.deliveries.append(record)
        try:
            response = await self.client.post(
                app.webhook_url,
                content=body,
                headers=headers,
                timeout=self.sandbox.faults.webhook_timeout_s,
            )
        except httpx.HTTPError as error:
            record["error"] = type(error).__name__
            return False
        record["status"] = response.status_code
        return 200 <= response.status_code < 300


def _subscribed(
    subscription: dict[str, Any], kind: catalog.ObjectType, change: Change
) -> bool:
    if not subscription.get("active", True):
        return False
    event_type = subscription.get("eventType", "")
    prefix, _, action = event_type.partition(".")
    if action != change.action:
        return False
    if prefix == "object":
        if subscription.get("objectTypeId") not in (None, kind.type_id):
            return False
    elif prefix != kind.singular:
        return False
    if action == "propertyChange":
        return subscription.get("propertyName") == change.property_name
    return True


def _event(
    subscription: dict[str, Any], kind: catalog.ObjectType, change: Change
) -> dict:
    event: dict[str, Any] = {
        "subscriptionId": subscription["id"],
        "occurredAt": change.occurred_ms,
        "subscriptionType": subscription["eventType"],
        "objectId": int(change.object_id),
        "changeSource": change.source.change_source,
    }
    if change.source.source_id:
        event["sourceId"] = change.source.source_id
    if subscription["eventType"].startswith("object."):
        event["objectTypeId"] = kind.type_id
    if change.action == "creation":
        event["changeFlag"] = "NEW"
    if change.action == "propertyChange":
        event["propertyName"] = change.property_name
        event["propertyValue"] = change.property_value
    event.update(change.extra)
    return event
