"""Installing the app in a HubSpot portal: the OAuth authorisation code flow.

`begin_install` builds HubSpot's authorize URL with a `state` that is
signed with the product's secret key, expires after ten minutes and can be
used once (Redis remembers the unused ones). `complete_install` checks the
state, exchanges the code with authlib on the date-versioned token endpoint,
asks HubSpot who installed into which portal (token introspection), creates
or reactivates the tenant, stores its tokens encrypted and creates the app's
own properties in the portal.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from authlib.integrations.base_client import OAuthError
from redis.asyncio import Redis
from sqlmodel import select

from runtime.logs import get_logger
from runtime.settings import Settings, get_settings
from store.db import session_scope
from store.models import Tenant, TenantStatus
from sync.activity import record_event
from sync.errors import AuthorizationNeeded, RetriableError
from sync.hubspot import open_hubspot
from sync.hubspot.tokens import (
    oauth_client,
    store_tokens,
    token_url,
    tokens_from_answer,
)

log = get_logger(__name__)

STATE_TTL_S = 600
STATE_KEY = "hubspot:oauth-state:{nonce}"


class InstallRefused(AuthorizationNeeded):
    """The install cannot finish; the person installing must start again."""

    def __init__(self, message: str, **ids: Any) -> None:
        super().__init__(message, system="hubspot", **ids)


def redirect_uri(settings: Settings) -> str:
    return f"{settings.public_url.rstrip('/')}/oauth/callback"


def _sign(payload: str, settings: Settings) -> str:
    key = settings.secret_key.get_secret_value().encode()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def make_state(redis: Redis, settings: Settings) -> str:
    nonce = secrets.token_urlsafe(18)
    payload = f"{nonce}.{int(time.time())}"
    await redis.set(STATE_KEY.format(nonce=nonce), "1", ex=STATE_TTL_S)
    return f"{payload}.{_sign(payload, settings)}"


async def use_state(redis: Redis, state: str, settings: Settings) -> None:
    """Accept a state once: signed by us, younger than ten minutes, unused."""
    try:
        nonce, issued, signature = state.split(".")
        age_s = time.time() - int(issued)
    except ValueError:
        raise InstallRefused("the install link is malformed; start again") from None
    expected = _sign(f"{nonce}.{issued}", settings)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise InstallRefused("the install link was not issued by this connector")
    if age_s > STATE_TTL_S:
        raise InstallRefused("the install link expired after ten minutes; start again")
    if not await redis.getdel(STATE_KEY.format(nonce=nonce)):
        raise InstallRefused("the install link was already used; start again")


async def begin_install(redis: Redis, *, portal: str | None = None) -> str:
    """HubSpot's authorize URL; `portal` pins the account (HubSpot's hub id)."""
    settings = get_settings()
    hubspot = settings.hubspot
    base = hubspot.auth_base.rstrip("/")
    if portal is not None and not str(portal).isdigit():
        raise InstallRefused(f"portal {str(portal)[:20]!r} is not a HubSpot hub id")
    path = f"/oauth/{portal}/authorize" if portal else "/oauth/authorize"
    params = {
        "client_id": hubspot.client_id,
        "redirect_uri": redirect_uri(settings),
        "scope": " ".join(hubspot.required_scopes.split()),
        "state": await make_state(redis, settings),
    }
    if hubspot.optional_scopes.split():
        params["optional_scope"] = " ".join(hubspot.optional_scopes.split())
    # Scopes are space-separated and HubSpot wants the spaces as %20.
    return f"{base}{path}?{urlencode(params, quote_via=quote)}"


async def exchange_code(code: str, settings: Settings) -> dict[str, Any]:
    hubspot = settings.hubspot
    try:
        async with oauth_client(hubspot, redirect_uri=redirect_uri(settings)) as client:
            answer = await client.fetch_token(
                token_url(hubspot),
                grant_type="authorization_code",
                code=code,
                redirect_uri=redirect_uri(settings),
            )
            info = await introspect(client, str(answer["access_token"]), settings)
    except OAuthError as refused:
        raise InstallRefused(
            f"HubSpot refused the authorisation code ({refused.error}); "
            "start the install again"
        ) from None
    except (httpx.HTTPError, KeyError, ValueError) as error:
        raise RetriableError(
            f"the exchange with HubSpot's token endpoint failed "
            f"({type(error).__name__}); start the install again in a moment"
        ) from None
    return {"token": dict(answer), "info": info}


async def introspect(client: Any, access_token: str, settings: Settings) -> dict:
    """Who installed into which portal, with which scopes."""
    hubspot = settings.hubspot
    url = (
        f"{hubspot.api_base.rstrip('/')}/oauth/{hubspot.oauth_version}/token/introspect"
    )
    response = await client.request(
        "POST",
        url,
        data={
            "client_id": hubspot.client_id,
            "client_secret": hubspot.client_secret.get_secret_value(),
            "token": access_token,
            "token_type_hint": "access_token",
        },
        withhold_token=True,
    )
    response.raise_for_status()
    info = response.json()
    if not info.get("active") or not info.get("hub_id"):
        raise InstallRefused("HubSpot says the new token is not active; start again")
    return info


def save_install(info: dict[str, Any]) -> int:
    """Create the portal's tenant, or bring the same tenant back on re-install."""
    hub_id = str(info["hub_id"])
    with session_scope() as session:
        tenant = session.exec(select(Tenant).where(Tenant.hub_id == hub_id)).first()
        if tenant is None:
            name = info.get("hub_domain") or f"HubSpot portal {hub_id}"
            tenant = Tenant(hub_id=hub_id, name=name)
        tenant.hub_domain = str(info.get("hub_domain") or tenant.hub_domain)
        tenant.installed_by = str(info.get("user") or info.get("user_id") or "")
        tenant.scopes = " ".join(info.get("scopes") or [])
        # A re-install repairs the connection; a pause an operator chose stays.
        if tenant.status != TenantStatus.DISABLED:
            tenant.status = TenantStatus.ACTIVE
            tenant.status_reason = ""
        tenant.uninstalled_at = None
        tenant.purge_after = None
        session.add(tenant)
        session.flush()
        return tenant.id


async def complete_install(redis: Redis, *, code: str, state: str) -> int:
    """Finish the install from HubSpot's redirect; returns the tenant id."""
    settings = get_settings()
    await use_state(redis, state, settings)
    exchanged = await exchange_code(code, settings)
    info = exchanged["info"]

    tenant_id = save_install(info)
    tokens = tokens_from_answer(exchanged["token"])
    tokens.hub_id = str(info["hub_id"])
    tokens.scopes = list(info.get("scopes") or tokens.scopes)
    store_tokens(tenant_id, tokens)

    async with open_hubspot(tenant_id, redis=redis) as hubspot:
        await hubspot.ensure_app_properties()
    with session_scope() as session:
        record_event(
            session,
            tenant_id=tenant_id,
            event="hubspot.installed",
            message=f"installed in portal {info['hub_id']} by {info.get('user', '')}",
        )
    log.info("hubspot.installed", tenant_id=tenant_id, hub_id=str(info["hub_id"]))
    return tenant_id
