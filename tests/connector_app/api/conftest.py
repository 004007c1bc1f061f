"""Our HTTP API over real HTTP with a real Redis and database, and a tenant
whose Genius webhooks are set up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from connector_app.api import build_api
from runtime.settings import get_settings
from sandbox.serving import serve_app
from store.credentials import save_secret
from store.db import session_scope
from store.models import CredentialKind, Tenant

GENIUS_SECRET = "webhook-secret-for-tests-0123456789"


@pytest.fixture
def served_api(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`build_api()` on a free port, which is also the public URL; Redis emptied."""
    monkeypatch.setattr(get_settings(), "redis_url", redis_url)
    Redis.from_url(redis_url).flushdb()
    with serve_app(build_api()) as url:
        monkeypatch.setattr(get_settings(), "public_url", url)
        yield url


@pytest.fixture
def hooked_tenant(db: None) -> int:
    """A tenant with a Genius webhook secret and no Genius key."""
    with session_scope() as session:
        tenant = Tenant(hub_id="5550001", name="Fabrication Démo")
        session.add(tenant)
        session.flush()
        save_secret(
            session, tenant.id, CredentialKind.GENIUS_WEBHOOK, {"secret": GENIUS_SECRET}
        )
        return tenant.id
