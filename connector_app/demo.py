"""Seeding the demo tenant once the processes answer; running it again reuses it.

The operator from OPERATOR_EMAIL / OPERATOR_PASSWORD is ensured. When the demo
HubSpot portal has no tenant yet, it is installed the way a customer would:
the real OAuth flow, from `/oauth/install?portal=<hub id>` through the
HubSpot sandbox's consent to our `/oauth/callback`. No tenant row is written
by hand. Then Genius ERP is connected with `save_connection`, using the
sandbox's address and the company and key of the Genius fixture.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from runtime.logs import get_logger
from runtime.settings import Settings
from sync.errors import ConfigurationError
from sync.genius.connection import save_connection
from sync.operators import ensure_operator
from sync.tenants import find_tenant_by_hub, get_tenant

log = get_logger(__name__)

MAX_REDIRECTS = 10


@dataclass(frozen=True)
class DemoTenant:
    """The seeded tenant and what it was connected with."""

    id: int
    hub_id: str
    genius_company: str


def read_demo_ids(fixtures_dir: Path) -> tuple[str, str, str]:
    """The demo portal's hub id, and the Genius company code and API key."""
    hubspot = json.loads((fixtures_dir / "hubspot_demo.json").read_text("utf-8"))
    genius = json.loads((fixtures_dir / "genius_demo.json").read_text("utf-8"))
    company = genius["companies"][0]
    return str(hubspot["portals"][0]["hubId"]), company["code"], company["api_keys"][0]


def install_through_oauth(public_url: str, hub_id: str) -> int:
    """Walk the install redirects by hand and return the new tenant's id.

    The flow ends on `/tenants/<id>`, a portal page; it is read from the last
    redirect rather than fetched, so this works with the HTTP API alone too.
    """
    url = f"{public_url}/oauth/install?portal={hub_id}"
    with httpx.Client(timeout=30.0) as client:
        for _ in range(MAX_REDIRECTS):
            response = client.get(url)
            if not response.is_redirect:
                raise ConfigurationError(
                    f"the OAuth install of portal {hub_id} stopped at "
                    f"{urlsplit(url).path!r} with status {response.status_code}; "
                    "read the portal's and the HubSpot sandbox's logs"
                )
            url = urljoin(url, response.headers["location"])
            path = urlsplit(url).path
            if path.startswith("/tenants/") and path.rsplit("/", 1)[-1].isdigit():
                return int(path.rsplit("/", 1)[-1])
    raise ConfigurationError(
        f"the OAuth install of portal {hub_id} redirected more than "
        f"{MAX_REDIRECTS} times; check PUBLIC_URL={public_url!r}"
    )


def connect_genius(tenant_id: int, base_url: str, company: str, api_key: str) -> None:
    check = asyncio.run(
        save_connection(tenant_id, base_url=base_url, company=company, api_key=api_key)
    )
    if not check.ok:
        raise ConfigurationError(
            f"connecting the demo tenant to Genius at {base_url!r} failed "
            f"({check.outcome}): {check.message}",
            tenant_id=tenant_id,
        )


def seed_operator(settings: Settings) -> None:
    """The operator of OPERATOR_EMAIL, with OPERATOR_PASSWORD as its password."""
    ensure_operator(
        settings.operator_email, settings.operator_password.get_secret_value()
    )


def seed_demo(settings: Settings, fixtures_dir: Path) -> DemoTenant:
    """Ensure the demo tenant, installed through OAuth, and its Genius connection."""
    hub_id, company, api_key = read_demo_ids(fixtures_dir)

    tenant = find_tenant_by_hub(hub_id)
    if tenant is None:
        tenant = get_tenant(install_through_oauth(settings.public_url, hub_id))
        log.info("demo.installed", tenant_id=tenant.id, hub_id=hub_id)

    if not tenant.genius_base_url:
        connect_genius(tenant.id, settings.sandbox_genius_url, company, api_key)
        log.info("demo.genius_connected", tenant_id=tenant.id, company=company)
    return DemoTenant(id=tenant.id, hub_id=hub_id, genius_company=company)
