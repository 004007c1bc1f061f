"""`POST /webhooks/hubspot`: HubSpot's webhook deliveries for every portal.

Thin: read at most `MAX_BODY_BYTES` (413 beyond), verify the v3 signature
over the raw body and the public URL (401 otherwise), then hand the events
to `sync.hubspot.webhooks`, which dedupes them, drops our own echoes and
queues at most one sync per portal. HubSpot wants an answer within 5
seconds; only enqueuing happens here.
"""

from __future__ import annotations

import json

from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connector_app.api.inbound import (
    post_route,
    read_body_within,
    refusal,
    too_large,
)
from runtime.logs import get_logger
from runtime.settings import get_settings
from sync.hubspot.signatures import verify_request
from sync.hubspot.webhooks import handle_delivery

log = get_logger(__name__)

# HubSpot sends at most 100 events per request, a few dozen kB.
MAX_BODY_BYTES = 1024 * 1024


async def receive_hubspot_events(request: Request) -> Response:
    body = await read_body_within(request, MAX_BODY_BYTES)
    if body is None:
        return too_large(MAX_BODY_BYTES)
    check = verify_request(request, body)
    if not check.ok:
        log.warning("hubspot.webhook_refused", reason=check.reason)
        return refusal(401, check.reason)
    try:
        events = json.loads(body)
    except (ValueError, RecursionError):
        return refusal(400, "the body is not JSON")
    if not isinstance(events, list):
        return refusal(400, "expected a list of events")

    settings = get_settings()
    if not settings.redis_url:
        return refusal(503, "Redis is not configured")
    redis = Redis.from_url(settings.redis_url)
    try:
        outcome = await handle_delivery(events, redis, app_id=settings.hubspot.app_id)
    except RedisError:
        # A 5xx makes HubSpot send the delivery again later.
        log.exception("hubspot.webhook_redis_failed")
        return refusal(503, "try again")
    finally:
        await redis.aclose()
    return JSONResponse(
        {
            "received": outcome.received,
            "duplicates": outcome.duplicates,
            "synced": len(outcome.synced_tenants),
        }
    )


routes = [post_route("/webhooks/hubspot", receive_hubspot_events)]
