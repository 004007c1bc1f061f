"""A portal's OAuth tokens: stored encrypted, refreshed early, once for all workers.

HubSpot's access tokens live 30 minutes and HubSpot asks apps to refresh
from the expiry time rather than wait for a 401. Several workers may need a
token for the same portal at the same moment: the refresh happens under a
Redis lock, and whoever gets the lock first re-reads the stored tokens, so
the others find the new token instead of refreshing again. Whatever refresh
token HubSpot answers is stored (it has been seen to keep the same one).

A refused refresh (`invalid_grant`: uninstalled or revoked) marks the tenant
"re-authorisation needed"; from then on nothing asks HubSpot for a token
for it until someone installs the app again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from redis.asyncio import Redis

from runtime.logs import get_logger
from runtime.settings import HubSpotSettings
from store.credentials import load_secret, save_secret
from store.db import session_scope
from store.models import CredentialKind, Tenant, TenantStatus
from store.types import utcnow
from sync.errors import AuthorizationNeeded, RetriableError

log = get_logger(__name__)

REFRESH_MARGIN = timedelta(minutes=5)
LOCK_TIMEOUT_S = 30
REFUSED_REASON = (
    "HubSpot refused to renew the connection ({error}): the app was uninstalled "
    "from the portal or its access was revoked. Install the app again from "
    "HubSpot to resume syncing."
)


@dataclass
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: datetime
    scopes: list[str] = field(default_factory=list)
    hub_id: str = ""

    def fresh(self, margin: timedelta = REFRESH_MARGIN) -> bool:
        return self.expires_at - margin > utcnow()

    def to_secret(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.isoformat(),
            "scopes": self.scopes,
            "hub_id": self.hub_id,
        }

    @classmethod
    def from_secret(cls, secret: dict[str, Any]) -> Tokens:
        return cls(
            access_token=secret["access_token"],
            refresh_token=secret["refresh_token"],
            expires_at=datetime.fromisoformat(secret["expires_at"]),
            scopes=list(secret.get("scopes") or []),
            hub_id=str(secret.get("hub_id", "")),
        )


def tokens_from_answer(
    answer: dict[str, Any], previous: Tokens | None = None
) -> Tokens:
    """Tokens from a token-endpoint answer; older answers lack hub_id and scopes."""
    expires_in = int(answer.get("expires_in") or 1800)
    return Tokens(
        access_token=str(answer["access_token"]),
        refresh_token=str(
            answer.get("refresh_token") or (previous.refresh_token if previous else "")
        ),
        expires_at=utcnow() + timedelta(seconds=expires_in),
        scopes=list(answer.get("scopes") or (previous.scopes if previous else [])),
        hub_id=str(answer.get("hub_id") or (previous.hub_id if previous else "")),
    )


def store_tokens(tenant_id: int, tokens: Tokens) -> None:
    with session_scope() as session:
        save_secret(
            session,
            tenant_id,
            CredentialKind.HUBSPOT,
            tokens.to_secret(),
            hint=f"…{tokens.refresh_token[-4:]}",
            expires_at=tokens.expires_at,
        )


def load_tokens(tenant_id: int) -> Tokens | None:
    with session_scope() as session:
        secret = load_secret(session, tenant_id, CredentialKind.HUBSPOT)
    return Tokens.from_secret(secret) if secret else None


def token_url(settings: HubSpotSettings) -> str:
    return f"{settings.api_base.rstrip('/')}/oauth/{settings.oauth_version}/token"


def oauth_client(settings: HubSpotSettings, **kwargs: Any) -> AsyncOAuth2Client:
    """authlib's client for HubSpot's token endpoint (credentials in the form)."""
    return AsyncOAuth2Client(
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        token_endpoint_auth_method="client_secret_post",
        timeout=settings.timeout_s,
        **kwargs,
    )


def mark_reauth_needed(tenant_id: int, reason: str) -> None:
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is not None and tenant.status != TenantStatus.UNINSTALLED:
            tenant.status = TenantStatus.REAUTH_NEEDED
            tenant.status_reason = reason
            session.add(tenant)


class TokenKeeper:
    """Hands out a valid access token for one tenant, refreshing when due."""

    def __init__(self, tenant_id: int, redis: Redis, settings: HubSpotSettings) -> None:
        self.tenant_id = tenant_id
        self.redis = redis
        self.settings = settings
        self.tokens: Tokens | None = None
        self.refreshes = 0

    async def access_token(self) -> str:
        if self.tokens is None or not self.tokens.fresh():
            await self.refresh()
        return self.tokens.access_token

    async def refresh(self, stale_access_token: str | None = None) -> None:
        """Get fresh tokens: from another worker's refresh, or from HubSpot."""
        lock = self.redis.lock(
            f"hubspot:token-refresh:{self.tenant_id}",
            timeout=LOCK_TIMEOUT_S,
            blocking_timeout=LOCK_TIMEOUT_S + 5,
        )
        async with lock:
            stored = load_tokens(self.tenant_id)
            if stored is None:
                raise self._refused("no tokens are stored")
            renewed_elsewhere = (
                stale_access_token is not None
                and stored.access_token != stale_access_token
            )
            if renewed_elsewhere or (stale_access_token is None and stored.fresh()):
                self.tokens = stored
                return
            self.tokens = await self._ask_hubspot(stored)
            store_tokens(self.tenant_id, self.tokens)
            self.refreshes += 1
        log.info("hubspot.token_refreshed", tenant_id=self.tenant_id)

    async def _ask_hubspot(self, stored: Tokens) -> Tokens:
        try:
            async with oauth_client(self.settings) as client:
                answer = await client.refresh_token(
                    token_url(self.settings), refresh_token=stored.refresh_token
                )
        except OAuthError as refused:
            if refused.error in (
                "invalid_grant",
                "invalid_client",
                "unauthorized_client",
            ):
                raise self._refused(refused.error) from None
            raise RetriableError(
                f"HubSpot's token endpoint answered {refused.error!r}; retry later",
                tenant_id=self.tenant_id,
            ) from None
        except (httpx.HTTPError, ValueError) as error:
            raise RetriableError(
                f"renewing the HubSpot token failed ({type(error).__name__}); "
                "retry later",
                tenant_id=self.tenant_id,
            ) from None
        if "access_token" not in answer:
            # A legacy-shaped refusal: {"status": "BAD_REFRESH_TOKEN", ...}.
            raise self._refused(str(answer.get("status") or "no access token"))
        return tokens_from_answer(dict(answer), stored)

    def _refused(self, error: str) -> AuthorizationNeeded:
        reason = REFUSED_REASON.format(error=error)
        mark_reauth_needed(self.tenant_id, reason)
        log.warning("hubspot.token_refused", tenant_id=self.tenant_id, error=error)
        return AuthorizationNeeded(reason, system="hubspot", tenant_id=self.tenant_id)
