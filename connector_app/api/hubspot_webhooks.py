"""`POST /webhooks/hubspot`: HubSpot's webhook deliveries for every portal.

Thin: verify the v3 signature over the raw body and the public URL (401
otherwise), then hand the events to `sync.hubspot.webhooks`, which dedupes
them, drops our own echoes and queues at most one sync per portal. HubSpot
wants an answer within 5 seconds; only enqueuing happens here.
"""

from __future__ import annotations

import json

from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from runtime.logs import get_logger
from runtime.settings import get_settings
from sync.hubspot.signatures import verify_request
from sync.hubspot.webhooks import handle_delivery

log = get_logger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # 100 events stay far below this


async def receive_hubspot_events(request: Request) -> JSONResponse:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return JSONResponse({"error": "delivery too large"}, status_code=413)
    check = verify_request(request, body)
    if not check.ok:
        log.warning("hubspot.webhook_refused", reason=check.reason)
        return JSONResponse({"error": check.reason}, status_code=401)
    try:
        events = json.loads(body)
    except ValueError:
        return JSONResponse({"error": "the body is not JSON"}, status_code=400)
    if not isinstance(events, list):
        return JSONResponse({"error": "expected a list of events"}, status_code=400)

    settings = get_settings()
    if not settings.redis_url:
        return JSONResponse({"error": "Redis is not configured"}, status_code=503)
    redis = Redis.from_url(settings.redis_url)
    try:
        outcome = await handle_delivery(events, redis, app_id=settings.hubspot.app_id)
    finally:
        await redis.aclose()
    return JSONResponse(
        {
            "received": outcome.received,
            "duplicates": outcome.duplicates,
            "synced": len(outcome.synced_tenants),
        }
    )


routes = [Route("/webhooks/hubspot", receive_hubspot_events, methods=["POST"])]
