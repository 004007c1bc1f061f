"""Installing the app through the real OAuth flow against the sandbox."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import select

from runtime.settings import get_settings
from store.credentials import load_secret
from store.db import session_scope
from store.models import Credential, CredentialKind, Tenant, TenantStatus
from sync.hubspot.install import InstallRefused, begin_install, complete_install
from tests.sync.hubspot.hubspot_fixtures import HUB_ID, install_portal


async def test_install_creates_the_tenant_with_encrypted_tokens(tenant_id, redis):
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        stored = load_secret(session, tenant_id, CredentialKind.HUBSPOT)
        row = session.exec(select(Credential)).one()

    assert tenant.hub_id == str(HUB_ID)
    assert tenant.status == TenantStatus.ACTIVE
    assert tenant.installed_by == "admin@usinage-beauce.example.com"
    assert "crm.objects.deals.write" in tenant.scopes.split()
    assert stored["access_token"].startswith("CO")
    assert stored["access_token"] not in row.ciphertext
    assert stored["refresh_token"] not in row.ciphertext


async def test_install_creates_the_app_properties(tenant_id, hubspot_sandbox):
    portal = hubspot_sandbox.sandbox.world.portals[HUB_ID]

    deal_props = portal.properties["deals"]
    company_props = portal.properties["companies"]

    assert deal_props["genius_quote_status"]["groupName"] == "genius_erp"
    assert [o["value"] for o in deal_props["genius_quote_status"]["options"]] == [
        "draft",
        "sent",
        "accepted",
        "refused",
        "cancelled",
        "converted",
    ]
    assert deal_props["genius_quote_date"]["type"] == "date"
    assert company_props["genius_customer_code"]["hasUniqueValue"] is True
    assert "genius_erp" in portal.groups["companies"]


async def test_reinstall_updates_the_same_tenant(tenant_id, redis):
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        tenant.status = TenantStatus.REAUTH_NEEDED
        tenant.status_reason = "refused"
        before = load_secret(session, tenant_id, CredentialKind.HUBSPOT)

    again = await install_portal(redis)

    with session_scope() as session:
        tenant = session.get(Tenant, again)
        after = load_secret(session, again, CredentialKind.HUBSPOT)
    assert again == tenant_id
    assert tenant.status == TenantStatus.ACTIVE and tenant.status_reason == ""
    assert after["access_token"] != before["access_token"]


async def test_reinstall_keeps_a_pause_an_operator_chose(tenant_id, redis):
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        tenant.status = TenantStatus.DISABLED
        tenant.status_reason = "disabled by ops@example.com"

    await install_portal(redis)

    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
    assert tenant.status == TenantStatus.DISABLED
    assert tenant.status_reason == "disabled by ops@example.com"


@pytest.mark.parametrize(
    ("portal", "path"),
    [("62515", "/oauth/62515/authorize"), (None, "/oauth/authorize")],
    ids=["pinned-portal", "any-portal"],
)
async def test_the_authorize_url_carries_scopes_and_state(
    db, redis, hubspot_sandbox, portal, path
):
    url = await begin_install(redis, portal=portal)

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path == path
    assert "%20" in parts.query and "+" not in parts.query
    assert query["redirect_uri"] == [f"{get_settings().public_url}/oauth/callback"]
    assert "crm.objects.deals.read" in query["scope"][0].split()
    assert query["optional_scope"] == ["crm.objects.products.read"]
    assert query["client_id"] == ["sandbox-client-id"]


async def consent(url: str) -> tuple[str, str]:
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(url)
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    return query["code"][0], query["state"][0]


async def test_a_state_works_once(db, redis, hubspot_sandbox):
    code, state = await consent(await begin_install(redis, portal=str(HUB_ID)))
    await complete_install(redis, code=code, state=state)
    code_2, _ = await consent(await begin_install(redis, portal=str(HUB_ID)))

    with pytest.raises(InstallRefused, match="already used"):
        await complete_install(redis, code=code_2, state=state)


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda s: s[:-2] + ("AA" if not s.endswith("AA") else "BB"), "not issued"),
        (lambda s: "garbage", "malformed"),
    ],
    ids=["forged-signature", "malformed"],
)
async def test_a_forged_state_is_refused(db, redis, hubspot_sandbox, tamper, message):
    code, state = await consent(await begin_install(redis, portal=str(HUB_ID)))

    with pytest.raises(InstallRefused, match=message):
        await complete_install(redis, code=code, state=tamper(state))


async def test_an_old_state_is_refused(db, redis, hubspot_sandbox, monkeypatch):
    code, state = await consent(await begin_install(redis, portal=str(HUB_ID)))
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 601)

    with pytest.raises(InstallRefused, match="expired"):
        await complete_install(redis, code=code, state=state)


async def test_a_code_used_twice_is_refused(db, redis, hubspot_sandbox):
    code, state = await consent(await begin_install(redis, portal=str(HUB_ID)))
    await complete_install(redis, code=code, state=state)
    _, fresh_state = await consent(await begin_install(redis, portal=str(HUB_ID)))

    with pytest.raises(InstallRefused, match="refused the authorisation code"):
        await complete_install(redis, code=code, state=fresh_state)
