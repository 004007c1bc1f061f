"""`/oauth/install` and `/oauth/callback` over real HTTP: a browser installs the
app from our route, through the sandbox's consent, back to the tenant page."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from store.db import session_scope
from store.models import Tenant
from tests.sync.hubspot import hubspot_fixtures
from tests.sync.hubspot.hubspot_fixtures import HUB_ID

api_url = hubspot_fixtures.api_url
hubspot_sandbox = hubspot_fixtures.hubspot_sandbox


def follow(url: str, stop_path_prefix: str) -> tuple[str, list[str]]:
    """Follow redirects by hand until a path starting with `stop_path_prefix`."""
    hops = []
    with httpx.Client() as browser:
        for _ in range(6):
            answer = browser.get(url)
            hops.append(f"{answer.status_code} {urlsplit(url).path}")
            if not answer.is_redirect:
                return url, hops
            url = urljoin(url, answer.headers["location"])
            if urlsplit(url).path.startswith(stop_path_prefix):
                return url, hops
    raise AssertionError(f"too many redirects: {hops}")


@pytest.mark.parametrize(
    ("query", "consent_path"),
    [(f"?portal={HUB_ID}", f"/oauth/{HUB_ID}/authorize"), ("", "/oauth/authorize")],
    ids=["pinned-portal", "account-chooser"],
)
async def test_a_browser_installs_the_app(
    db, redis, hubspot_sandbox, api_url, query, consent_path
):
    if not query:
        # With one account HubSpot's page consents at once.
        del hubspot_sandbox.sandbox.world.portals[99001]

    final, hops = follow(f"{api_url}/oauth/install{query}", "/tenants/")

    assert hops[0] == "302 /oauth/install"
    assert hops[1] == f"302 {consent_path}"
    assert hops[2] == "302 /oauth/callback"
    tenant_id = int(urlsplit(final).path.rsplit("/", 1)[1])
    with session_scope() as session:
        assert session.get(Tenant, tenant_id).hub_id == str(HUB_ID)


async def test_several_accounts_get_a_chooser_page(db, redis, hubspot_sandbox, api_url):
    final, _ = follow(f"{api_url}/oauth/install", "/tenants/")

    page = httpx.get(final)
    assert page.status_code == 200
    assert f"/oauth/{HUB_ID}/authorize?" in page.text
    assert "/oauth/99001/authorize?" in page.text


@pytest.mark.parametrize(
    ("query", "status", "text"),
    [
        ("?error=access_denied&state=x", 400, "cancelled"),
        ("?code=abc", 400, "missing"),
        ("?code=abc&state=forged.1.sig", 400, "not issued by this connector"),
    ],
    ids=["consent-denied", "no-state", "forged-state"],
)
async def test_a_bad_callback_explains_itself(
    db, redis, hubspot_sandbox, api_url, query, status, text
):
    answer = httpx.get(f"{api_url}/oauth/callback{query}")

    assert answer.status_code == status
    assert text in answer.text
    with session_scope() as session:
        assert session.get(Tenant, 1) is None


async def test_a_refused_consent_comes_back_as_cancelled(
    db, redis, hubspot_sandbox, api_url
):
    hubspot_sandbox.sandbox.faults.deny_consent = True

    final, _ = follow(f"{api_url}/oauth/install?portal={HUB_ID}", "/tenants/")

    answer = httpx.get(final)
    assert answer.status_code == 400 and "cancelled" in answer.text
