"""Connecting a tenant to Genius: check the URL, test it, store it safely.

"Test connection" answers in words an admin understands, one outcome per
thing that can be wrong: the host cannot be reached, TLS fails (often a
self-signed certificate), the key is refused, the company is refused, the
server is not a Genius API, or all is well (with the company's name).
Saving stores the API key encrypted (only a hint is ever shown back),
subscribes the webhooks with a fresh secret, and updates the tenant.
"""

from __future__ import annotations

import secrets
import ssl
from dataclasses import dataclass, replace
from typing import Any

from runtime.logs import get_logger
from runtime.settings import get_settings
from store.credentials import save_secret
from store.db import session_scope
from store.models import CredentialKind, Tenant
from sync.errors import (
    AuthorizationNeeded,
    ConfigurationError,
    ConnectorError,
    FatalError,
    RetriableError,
)
from sync.genius.addresses import AddressPolicy, check_base_url
from sync.genius.client import GeniusClient
from sync.genius.profile import GeniusProfile
from sync.genius.transport import RetryPolicy

log = get_logger(__name__)

__all__ = ["ConnectionCheck", "check_base_url", "save_connection", "test_connection"]

OUTCOMES = ("ok", "unreachable", "tls", "wrong_key", "wrong_company", "not_genius")
# One quick try: an admin is waiting in front of the settings page.
TEST_RETRY = RetryPolicy(attempts=1, backoff_s=0.0, max_wait_s=0.0)
TEST_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ConnectionCheck:
    """The result of testing a Genius connection, for the settings page."""

    ok: bool
    outcome: str  # one of OUTCOMES
    message: str
    company_name: str = ""
    timezone: str = ""
    key_hint: str = ""
    # What Genius names our key in webhook events' ChangedBy (GET /company).
    api_key_id: str = ""


def key_hint(api_key: str) -> str:
    """What may be shown of a key: its last four characters, if it is long."""
    return "…" + api_key[-4:] if len(api_key) >= 12 else "…"


async def test_connection(
    base_url: str,
    company: str,
    api_key: str,
    *,
    profile: GeniusProfile | None = None,
    policy: AddressPolicy | None = None,
    verify: Any = True,
) -> ConnectionCheck:
    """Ask Genius for the company once; raises ConfigurationError for a URL the
    SSRF rules refuse (nothing is sent to it)."""
    url = check_base_url(base_url, policy=policy)
    client = GeniusClient(
        url,
        company.strip().upper(),
        api_key.strip(),
        profile=profile,
        retry=TEST_RETRY,
        policy=policy,
        timeout_s=TEST_TIMEOUT_S,
        verify=verify,
    )
    async with client:
        try:
            answer = await client.get_company()
        except ConnectorError as exc:
            return judge_failure(exc, url, company)
    if not isinstance(answer, dict) or not answer.get("Name"):
        return _check("not_genius", f"{url} answered, but not with a Genius company")
    return ConnectionCheck(
        ok=True,
        outcome="ok",
        message=f"Connected to {answer['Name']} ({company.upper()}).",
        company_name=str(answer["Name"]),
        timezone=str(answer.get("TimeZone") or "America/Toronto"),
        api_key_id=str(answer.get("ApiKeyId") or ""),
    )


def judge_failure(error: ConnectorError, url: str, company: str) -> ConnectionCheck:
    """The outcome an admin should see for a failed test."""
    status = error.failure.status if error.failure else 0
    if isinstance(error, AuthorizationNeeded) and status == 403:
        return _check(
            "wrong_company",
            f"Genius accepted the key but refused company {company!r}: check the "
            "company code, or give the key access to it in Genius.",
        )
    if isinstance(error, AuthorizationNeeded):
        return _check(
            "wrong_key", "Genius refused the API key: copy it again from Genius."
        )
    if isinstance(error, RetriableError) and not status:
        if _caused_by_tls(error):
            return _check(
                "tls",
                f"The secure connection to {url} failed: its certificate is not "
                "valid (self-signed, expired or for another name). Install a "
                "certificate from a public authority on the Genius server.",
            )
        return _check(
            "unreachable",
            f"Nothing answered at {url}: check the address and port, and that "
            "the server accepts connections from the connector.",
        )
    if isinstance(error, RetriableError):
        return _check(
            "unreachable",
            f"Genius at {url} is unavailable for now (status {status}): try again "
            "in a few minutes.",
        )
    if isinstance(error, FatalError) or status == 404:
        return _check(
            "not_genius",
            f"{url} answered, but not as a Genius API: check the address "
            "(it usually ends before /api/v1).",
        )
    return _check("not_genius", f"Genius answered unexpectedly: {error.message}")


def _caused_by_tls(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE" in str(seen).upper():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _check(outcome: str, message: str) -> ConnectionCheck:
    return ConnectionCheck(ok=False, outcome=outcome, message=message)


async def save_connection(
    tenant_id: int,
    *,
    base_url: str,
    company: str,
    api_key: str,
    profile: GeniusProfile | None = None,
    policy: AddressPolicy | None = None,
) -> ConnectionCheck:
    """Test, then store the connection; nothing is stored when the test fails."""
    with session_scope() as session:
        if session.get(Tenant, tenant_id) is None:
            raise ConfigurationError(f"no tenant with id {tenant_id}")
    url = check_base_url(base_url, policy=policy)
    company, api_key = company.strip().upper(), api_key.strip()
    profile = profile or GeniusProfile()
    check = await test_connection(url, company, api_key, profile=profile, policy=policy)
    if not check.ok:
        return check

    webhook, note = await subscribe(tenant_id, url, company, api_key, profile, policy)
    with session_scope() as session:
        save_secret(
            session,
            tenant_id,
            CredentialKind.GENIUS,
            {
                "api_key": api_key,
                "profile": profile.to_dict(),
                # Events carrying this id are echoes of our own writes.
                "changed_by_id": check.api_key_id,
            },
            hint=key_hint(api_key),
        )
        if webhook is not None:
            save_secret(session, tenant_id, CredentialKind.GENIUS_WEBHOOK, webhook)
        tenant = session.get(Tenant, tenant_id)
        tenant.genius_base_url = url
        tenant.genius_company = company
        tenant.genius_timezone = check.timezone
        session.add(tenant)
    log.info(
        "genius.connected", tenant_id=tenant_id, company=company, webhooks=bool(webhook)
    )
    return replace(check, message=check.message + note, key_hint=key_hint(api_key))


async def subscribe(
    tenant_id: int,
    url: str,
    company: str,
    api_key: str,
    profile: GeniusProfile,
    policy: AddressPolicy | None,
) -> tuple[dict[str, str] | None, str]:
    """Subscribe the company's webhooks to our endpoint with a fresh secret.

    A refusal does not stop the connection: scheduled syncs still work, the
    admin is told that changes in Genius will wait for the next one.
    """
    secret = secrets.token_urlsafe(32)
    endpoint = f"{get_settings().public_url.rstrip('/')}/webhooks/genius/{tenant_id}"
    async with GeniusClient(
        url, company, api_key, profile=profile, retry=TEST_RETRY, policy=policy
    ) as client:
        try:
            answer = await client.subscribe_webhooks(endpoint, secret)
        except ConnectorError as exc:
            log.warning(
                "genius.webhooks_refused", tenant_id=tenant_id, error=exc.message
            )
            return None, (
                " Genius refused the webhook subscription, so changes made in "
                "Genius will reach HubSpot at the next scheduled sync."
            )
    return {"secret": secret, "subscription_id": str(answer.get("Id", ""))}, ""
