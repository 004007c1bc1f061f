"""What to do with a verified webhook delivery from HubSpot.

HubSpot sends up to 100 events per request, may send one twice, in any
order, and keeps retrying a request it thinks failed, so the events are
deduplicated in Redis on (portalId, subscriptionId, eventId, objectId,
occurredAt) — `eventId` alone is not unique. Events of another app, of an
unknown portal, or caused by our own writes (their `sourceId` is our app
id) are dropped. What remains asks for one sync per portal, which joins a
run already waiting; an app-uninstall event ends the tenant's install.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from runtime.logs import get_logger
from store.models import TenantStatus
from sync.errors import ConnectorError
from sync.hubspot.uninstall import uninstall_tenant
from sync.runs import request_sync
from sync.tenants import find_tenant_by_hub

log = get_logger(__name__)

SEEN_TTL_S = 3 * 24 * 3600  # longer than HubSpot's day of retries
TRIGGER = "hubspot_webhook"


@dataclass
class DeliveryOutcome:
    """What one delivery led to, for the log line and the tests."""

    received: int = 0
    duplicates: int = 0
    echoes: int = 0
    ignored: int = 0
    synced_tenants: list[int] = field(default_factory=list)
    uninstalled_tenants: list[int] = field(default_factory=list)


def is_uninstall(event: dict[str, Any]) -> bool:
    kind = str(event.get("subscriptionType", "")).lower()
    action = str(event.get("action", "")).lower()
    return (kind == "app_lifecycle_event" and action == "app_uninstall") or kind in (
        "app.uninstall",
        "app.deletion",
    )


def seen_key(event: dict[str, Any]) -> str:
    parts = [
        event.get(k, "")
        for k in ("portalId", "subscriptionId", "eventId", "objectId", "occurredAt")
    ]
    return "hubspot:webhook-seen:" + ":".join(str(part) for part in parts)


async def first_sightings(redis: Redis, events: list[dict[str, Any]]) -> list[bool]:
    """For each event, whether this is the first time it arrives (one round trip)."""
    async with redis.pipeline(transaction=False) as pipe:
        for event in events:
            pipe.set(seen_key(event), "1", nx=True, ex=SEEN_TTL_S)
        answers = await pipe.execute()
    return [bool(answer) for answer in answers]


async def handle_delivery(
    events: list[dict[str, Any]], redis: Redis, *, app_id: str
) -> DeliveryOutcome:
    outcome = DeliveryOutcome(received=len(events))
    ours = [e for e in events if isinstance(e, dict) and str(e.get("appId")) == app_id]
    outcome.ignored = len(events) - len(ours)
    fresh = [
        e
        for e, new in zip(ours, await first_sightings(redis, ours), strict=True)
        if new
    ]
    outcome.duplicates = len(ours) - len(fresh)

    by_portal: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in fresh:
        # Our own writes come back as events whose source is our app.
        if str(event.get("sourceId", "")) == app_id and not is_uninstall(event):
            outcome.echoes += 1
            continue
        by_portal[str(event.get("portalId", ""))].append(event)

    for hub_id, portal_events in by_portal.items():
        await _handle_portal(hub_id, portal_events, redis, outcome)
    log.info("hubspot.webhook_delivery", **vars(outcome))
    return outcome


async def _handle_portal(
    hub_id: str, events: list[dict[str, Any]], redis: Redis, outcome: DeliveryOutcome
) -> None:
    tenant = find_tenant_by_hub(hub_id)
    if tenant is None or tenant.status == TenantStatus.UNINSTALLED:
        outcome.ignored += len(events)
        return
    if any(is_uninstall(event) for event in events):
        await uninstall_tenant(tenant.id, redis=redis)
        outcome.uninstalled_tenants.append(tenant.id)
        return
    if tenant.status != TenantStatus.ACTIVE:
        outcome.ignored += len(events)
        return
    try:
        await request_sync(tenant.id, trigger=TRIGGER)
    except ConnectorError as error:
        log.warning(
            "hubspot.webhook_sync_refused", tenant_id=tenant.id, error=error.message
        )
        return
    outcome.synced_tenants.append(tenant.id)
