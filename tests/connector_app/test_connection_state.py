"""The tenant page's Genius connection form, driven as plain Python against a
Genius sandbox served over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reflex.istate.data import RouterData

from connector_app.states.connection import ConnectionState
from sandbox.genius.app import GeniusSandbox
from sandbox.genius.fixture import load_state, read_fixture
from sandbox.genius.server import serve_in_thread
from store.credentials import load_secret
from store.db import session_scope
from store.models import Tenant
from tests.connector_app.conftest import make_state

KEY = "form-test-key"


@pytest.fixture
def genius_url(tmp_path: Path):
    fixture = tmp_path / "genius.json"
    fixture.write_text(
        json.dumps(
            {
                "companies": [
                    {"code": "FORM", "name": "Usinage Formulaire", "api_keys": [KEY]}
                ]
            }
        )
    )
    sandbox = GeniusSandbox(load_state(read_fixture(fixture)), state_path=None)
    with serve_in_thread(sandbox) as url:
        yield url


def form_for(tenant: Tenant, url: str, company: str, key: str) -> ConnectionState:
    state = make_state(ConnectionState)
    path = f"/tenants/{tenant.id}"
    state.router = RouterData.from_router_data(
        {"headers": {}, "asPath": path, "pathname": path, "query": {}}
    )
    state.base_url, state.company, state.api_key = url, company, key
    return state


async def run(handler, state) -> list:
    return [event async for event in handler.fn(state)]


@pytest.mark.parametrize(
    ("company", "key", "said"),
    [
        pytest.param("FORM", "wrong-key", "key", id="wrong-key"),
        pytest.param("OTHER", KEY, "company", id="wrong-company"),
    ],
)
async def test_a_refused_connection_is_explained_and_not_stored(
    tenant, genius_url, company, key, said
):
    state = form_for(tenant, genius_url, company, key)

    await run(ConnectionState.save, state)

    assert not state.ok
    assert said in state.result.lower()
    with session_scope() as session:
        assert load_secret(session, tenant.id, "genius") is None
        assert session.get(Tenant, tenant.id).genius_base_url == ""


async def test_a_metadata_address_is_refused_before_any_call(tenant):
    state = form_for(tenant, "http://169.254.169.254/latest", "FORM", KEY)

    await run(ConnectionState.test, state)

    assert not state.ok
    assert "metadata" in state.result


async def test_a_good_connection_is_saved_and_the_key_leaves_the_form(
    tenant, genius_url
):
    state = form_for(tenant, genius_url, "form", KEY)

    await run(ConnectionState.test, state)
    assert state.ok, state.result
    assert "Usinage Formulaire" in state.result

    await run(ConnectionState.save, state)

    assert state.ok, state.result
    assert state.api_key == ""
    with session_scope() as session:
        stored = session.get(Tenant, tenant.id)
        assert (stored.genius_base_url, stored.genius_company) == (genius_url, "FORM")
        assert load_secret(session, tenant.id, "genius")["api_key"] == KEY
