"""`POST /webhooks/genius/{tenant_id}`: Genius tells us something changed.

The route stays thin: check the delivery is genuine (the tenant's shared
secret and the timestamp window), drop a delivery already seen (Genius
delivers at least once), and queue a sync of the tenant. The sync reads the
changes itself, so the body's content is never trusted beyond its event id.
Answers: 404 unknown tenant or no subscription, 401 bad signature, 503 when
the sync cannot be queued (Genius will retry), 200 otherwise, quickly.
"""

from __future__ import annotations

import hashlib
from typing import Any

from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from runtime.logs import get_logger
from runtime.settings import get_settings
from store.credentials import load_secret
from store.db import session_scope
from store.models import CredentialKind, Tenant, TenantStatus
from sync.errors import ConfigurationError
from sync.genius.profile import GeniusProfile
from sync.genius.signatures import verify_delivery
from sync.runs import request_sync

log = get_logger(__name__)

# Genius retries for about two hours at most; a day covers every duplicate.
SEEN_TTL_S = 24 * 3600
MAX_BODY_BYTES = 256 * 1024


def load_receiver(tenant_id: int) -> tuple[Tenant, str, GeniusProfile] | None:
    """The tenant, its webhook secret and its profile; None if it has none."""
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        hook = load_secret(session, tenant_id, CredentialKind.GENIUS_WEBHOOK)
        genius = load_secret(session, tenant_id, CredentialKind.GENIUS) or {}
    if tenant is None or not hook or not hook.get("secret"):
        return None
    return tenant, hook["secret"], GeniusProfile.from_dict(genius.get("profile"))


def delivery_key(
    tenant_id: int, headers: Any, profile: GeniusProfile, body: bytes
) -> str:
    event_id = headers.get(profile.delivery_header) or hashlib.sha256(body).hexdigest()
    return f"genius:webhook:{tenant_id}:{event_id[:100]}"


async def receive_genius_event(request: Request) -> JSONResponse:
    try:
        tenant_id = int(request.path_params["tenant_id"])
        receiver = load_receiver(tenant_id)
    except ValueError:
        receiver = None
    if receiver is None:
        return JSONResponse({"error": "unknown tenant"}, status_code=404)
    tenant, secret, profile = receiver

    body = await request.body()
    genuine = len(body) <= MAX_BODY_BYTES and verify_delivery(
        secret,
        body,
        timestamp=request.headers.get(profile.timestamp_header),
        signature=request.headers.get(profile.signature_header),
    )
    if not genuine:
        log.warning("genius_webhook.refused", tenant_id=tenant_id)
        return JSONResponse({"error": "bad signature"}, status_code=401)

    key = delivery_key(tenant_id, request.headers, profile, body)
    async with Redis.from_url(get_settings().redis_url) as redis:
        if not await redis.set(key, "1", nx=True, ex=SEEN_TTL_S):
            return JSONResponse({"status": "duplicate"})
        if tenant.status != TenantStatus.ACTIVE:
            return JSONResponse({"status": "ignored", "reason": tenant.status})
        try:
            run = await request_sync(tenant_id, trigger="genius_webhook")
        except ConfigurationError as exc:
            return JSONResponse({"status": "ignored", "reason": exc.message})
        except Exception:
            # Forget the delivery so Genius's retry gets queued instead.
            await redis.delete(key)
            log.exception("genius_webhook.enqueue_failed", tenant_id=tenant_id)
            return JSONResponse({"error": "try again"}, status_code=503)
    return JSONResponse({"status": "queued", "run_id": run.id})


routes = [
    Route("/webhooks/genius/{tenant_id}", receive_genius_event, methods=["POST"]),
]
