"""`POST /webhooks/genius/{tenant_id}`: Genius tells us something changed.

The route stays thin: read a small body (413 beyond `MAX_BODY_BYTES`),
check the delivery is genuine (the tenant's shared secret and the timestamp
window), drop the echoes of our own writes, drop a delivery already seen
(Genius delivers at least once), and queue a sync of the tenant. The sync
reads the changes itself: of the body only the event id and its author
are used, and only once the signature holds.

Answers, each refusal with a short reason: 404 unknown tenant or no
subscription, 413 body too large, 401 bad signature, 400 a signed body
that is not an event, 503 when the sync cannot be queued (Genius will
retry), 200 otherwise, quickly: queued, echo, duplicate or ignored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

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
from store.credentials import load_secret
from store.db import session_scope
from store.models import CredentialKind, Tenant, TenantStatus
from sync.errors import ConfigurationError
from sync.genius.profile import GeniusProfile
from sync.genius.signatures import check_delivery, key_id
from sync.runs import request_sync

log = get_logger(__name__)

# Genius retries for about two hours at most; a day covers every duplicate.
SEEN_TTL_S = 24 * 3600
# One event is well under a kilobyte.
MAX_BODY_BYTES = 256 * 1024
# Tenant ids are 32-bit integers in the database.
MAX_TENANT_ID = 2**31 - 1


@dataclass(frozen=True)
class Receiver:
    """What checking one tenant's deliveries needs."""

    tenant: Tenant
    secret: str
    profile: GeniusProfile
    # The `ChangedBy.Id` values of the connector's own writes.
    own_change_ids: frozenset[str]


def parse_tenant_id(text: str) -> int | None:
    """The tenant id of the path, or None when it cannot be one."""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    tenant_id = int(text)
    return tenant_id if 0 < tenant_id <= MAX_TENANT_ID else None


def load_receiver(tenant_id: int) -> Receiver | None:
    """The tenant with its webhook secret; None if it has none."""
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        hook = load_secret(session, tenant_id, CredentialKind.GENIUS_WEBHOOK)
        genius = load_secret(session, tenant_id, CredentialKind.GENIUS) or {}
    if tenant is None or not hook or not hook.get("secret"):
        return None
    return Receiver(
        tenant=tenant,
        secret=hook["secret"],
        profile=GeniusProfile.from_dict(genius.get("profile")),
        own_change_ids=own_change_ids(genius),
    )


def own_change_ids(genius: dict[str, Any]) -> frozenset[str]:
    """What Genius writes in `ChangedBy.Id` for changes made with our key.

    By the contract, the key's id. What the installation itself says it
    records for our key (`ApiKeyId` of GET /company, kept as `changed_by_id`
    when the connection is saved) counts as ours too.
    """
    ids = {key_id(genius["api_key"])} if genius.get("api_key") else set()
    if genius.get("changed_by_id"):
        ids.add(str(genius["changed_by_id"]))
    return frozenset(ids)


def parse_event(body: bytes) -> dict[str, Any] | None:
    """The event of a signed body, or None if the body is not one."""
    try:
        event = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return event if isinstance(event, dict) else None


def is_echo(event: dict[str, Any], own_ids: frozenset[str]) -> bool:
    """Whether our own key made the change this event reports."""
    author = event.get("ChangedBy")
    return isinstance(author, dict) and str(author.get("Id", "")) in own_ids


def delivery_key(tenant_id: int, event: dict[str, Any], signed: bytes) -> str:
    """The Redis key remembering a delivery, made only of what is signed.

    The body's event id survives Genius's retries (each gets a fresh
    timestamp); the `X-Genius-Delivery` header is not signed, so a replay
    could change it. Without an event id, the signed text itself is the key.
    """
    event_id = event.get("EventId")
    basis = f"event:{event_id}".encode() if event_id else b"signed:" + signed
    return f"genius:webhook:{tenant_id}:{hashlib.sha256(basis).hexdigest()}"


async def receive_genius_event(request: Request) -> Response:
    tenant_id = parse_tenant_id(request.path_params["tenant_id"])
    if tenant_id is None:
        return refusal(404, "unknown tenant")
    body = await read_body_within(request, MAX_BODY_BYTES)
    if body is None:
        return too_large(MAX_BODY_BYTES)
    receiver = load_receiver(tenant_id)
    if receiver is None:
        return refusal(404, "unknown tenant")

    timestamp = request.headers.get(receiver.profile.timestamp_header)
    check = check_delivery(
        receiver.secret,
        body,
        timestamp=timestamp,
        signature=request.headers.get(receiver.profile.signature_header),
    )
    if not check.ok:
        log.warning("genius_webhook.refused", tenant_id=tenant_id, reason=check.reason)
        return refusal(401, check.reason)
    event = parse_event(body)
    if event is None:
        return refusal(400, "the body is not a JSON event object")
    if is_echo(event, receiver.own_change_ids):
        return JSONResponse({"status": "echo"})

    key = delivery_key(tenant_id, event, f"{timestamp}.".encode() + body)
    try:
        return await queue_sync(receiver.tenant, key)
    except RedisError:
        log.exception("genius_webhook.redis_failed", tenant_id=tenant_id)
        return refusal(503, "try again")


async def queue_sync(tenant: Tenant, key: str) -> Response:
    """Queue one sync for a delivery not seen before."""
    redis_url = get_settings().redis_url
    if not redis_url:
        return refusal(503, "Redis is not configured")
    async with Redis.from_url(redis_url) as redis:
        if not await redis.set(key, "1", nx=True, ex=SEEN_TTL_S):
            return JSONResponse({"status": "duplicate"})
        if tenant.status != TenantStatus.ACTIVE:
            return JSONResponse({"status": "ignored", "reason": tenant.status})
        try:
            run = await request_sync(tenant.id, trigger="genius_webhook")
        except ConfigurationError as exc:
            return JSONResponse({"status": "ignored", "reason": exc.message})
        except Exception:
            # Forget the delivery so Genius's retry gets queued instead.
            await redis.delete(key)
            log.exception("genius_webhook.enqueue_failed", tenant_id=tenant.id)
            return refusal(503, "try again")
    return JSONResponse({"status": "queued", "run_id": run.id})


routes = [post_route("/webhooks/genius/{tenant_id}", receive_genius_event)]
