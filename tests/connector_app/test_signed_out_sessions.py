"""Every event handler of every page state refuses a signed-out or forged session.

A browser tab can send any handler's name over the portal's websocket, whatever
page it shows. So the walk below takes every handler Reflex registered on every
state under `PortalState`, calls it the way Reflex would, with plausible
arguments, from a tab without a genuine sign-in, and checks that it signs the
tab out and leaves the page's data untouched. A handler added later without the
guard fails here; only the few handlers listed in PUBLIC may skip it.
"""

from __future__ import annotations

import inspect
import typing
from datetime import timedelta
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData

import connector_app.connector_app  # noqa: F401  (registers every page state)
from connector_app.access import issue_token
from connector_app.states.base import PortalState, page_states
from connector_app.states.logs import LogsState
from connector_app.states.tenant import TenantState
from connector_app.states.tenants import TenantsState
from store.db import session_scope
from store.models import SyncRun
from store.types import utcnow
from sync.activity import record_event
from tests.connector_app.conftest import make_state, redirect_target

# Open to everyone by design: they read nothing and change nothing of a tenant.
PUBLIC = {
    "PortalState.sign_out",
    "PortalState.go_home",
    "SignInState.open",
    "SignInState.submit",
}

SAMPLES: dict[type, Any] = {str: "1", bool: True, int: 1, float: 1.0}
FORM = {"tenant": "1", "tenant_id": "1", "run": "", "level": "all", "text": ""}


def sample_for(annotation: Any) -> Any:
    """A value of the annotated type that names tenant 1 where it can."""
    origin = typing.get_origin(annotation) or annotation
    if origin is dict:
        return dict(FORM)
    if origin is list:
        return []
    return SAMPLES.get(origin, "1")


def sample_args(handler: rx.event.EventHandler) -> list[Any]:
    hints = typing.get_type_hints(handler.fn)
    parameters = list(inspect.signature(handler.fn).parameters.values())[1:]
    return [sample_for(hints.get(p.name, str)) for p in parameters]


def handler_cases() -> list[Any]:
    """(state class, handler name, args) for every handler of every page state."""
    cases = []
    for cls in [PortalState, *page_states()]:
        for name, handler in cls.event_handlers.items():
            label = f"{cls.__name__}.{name}"
            if label in PUBLIC:
                continue
            if name == "setvar":
                # setvar reaches the handler named set_<var>: try each of them.
                setters = [n for n in cls.event_handlers if n.startswith("set_")]
                cases += [
                    pytest.param(cls, name, [var, "1"], id=f"{label}:{var}")
                    for var in (s.removeprefix("set_") for s in setters)
                ]
                continue
            cases.append(pytest.param(cls, name, sample_args(handler), id=label))
    return cases


async def call(handler: rx.event.EventHandler, state: Any, args: list[Any]) -> list:
    """Run a handler as Reflex does and collect what it sends back."""
    result = handler.fn(state, *args)
    if inspect.isasyncgen(result):
        return [update async for update in result]
    if inspect.isawaitable(result):
        result = await result
    return [result]


def own_values(state: Any) -> dict[str, Any]:
    """The fields a state class declares itself, backend (`_name`) ones too."""
    declared = vars(type(state)).get("__annotations__", {})
    return {name: getattr(state, name) for name in declared}


@pytest.fixture
def tenant_with_history(tenant):
    with session_scope() as session:
        run = SyncRun(tenant_id=tenant.id, trigger="manual", status="succeeded")
        session.add(run)
        session.flush()
        for n in range(3):
            record_event(
                session,
                tenant_id=tenant.id,
                run_id=run.id,
                event="deal.created",
                message=f"secret deal {n}",
                hubspot_id=str(3001 + n),
            )
    return tenant


TOKENS = {
    "signed-out": lambda: "",
    "garbage": lambda: "not-a-token",
    "forged": lambda: issue_token("ops@example.com", key="someone-else's-key"),
    "expired": lambda: issue_token(
        "ops@example.com", now=utcnow() - timedelta(hours=13)
    ),
}


def test_the_walk_finds_every_page_and_its_handlers():
    names = {f"{cls.__name__}.{n}" for cls in page_states() for n in cls.event_handlers}
    expected = {
        "TenantsState.open",
        "TenantState.open",
        "TenantState.watch_run",
        "LogsState.set_tenant_choice",
        "LogsState.older",
        "LogsState.newer",
        "ConnectionState.save",
    }
    assert expected <= names
    assert len(handler_cases()) > len(expected)


@pytest.mark.parametrize("token", list(TOKENS), ids=list(TOKENS))
@pytest.mark.parametrize(("cls", "name", "args"), handler_cases())
async def test_every_handler_refuses_a_session_without_a_genuine_sign_in(
    tenant_with_history, token, cls, name, args
):
    state = make_state(cls, signed_in_as=None)
    state.access_token = TOKENS[token]()
    path = f"/tenants/{tenant_with_history.id}"
    state.router = RouterData.from_router_data(
        {
            "headers": {"origin": "http://127.0.0.1:3000"},
            "asPath": path,
            "pathname": path,
            "query": {"tenant": str(tenant_with_history.id)},
        }
    )
    before = own_values(state)

    sent = await call(cls.event_handlers[name], state, args)

    if name != "setvar":  # setvar drops what the setter returns
        assert sent == [PortalState.sign_out], f"{cls.__name__}.{name} answered {sent}"
    assert own_values(state) == before
    assert state.operator_email == ""


async def test_sign_out_forgets_every_page_of_the_tab(tenant_with_history):
    tenant_id = tenant_with_history.id
    portal = make_state(PortalState)
    root = portal.parent_state
    path = f"/tenants/{tenant_id}"
    root.router = RouterData.from_router_data(
        {"headers": {}, "asPath": path, "pathname": path, "query": {}}
    )
    pages = {
        cls: root.get_substate(cls.get_full_name().split(".")[1:])
        for cls in page_states()
    }
    for cls, page in pages.items():
        if "open" in cls.event_handlers and cls.__name__ != "SignInState":
            cls.event_handlers["open"].fn(page)
    tenant_page = pages[TenantState]
    assert tenant_page.tenant["name"] == tenant_with_history.name
    assert tenant_page.lines[0]["message"] == "secret deal 0"
    assert pages[LogsState].events and pages[TenantsState].rows

    sent = await PortalState.sign_out.fn(portal)

    assert redirect_target(sent) == "/signin"
    assert (portal.access_token, portal.operator_email) == ("", "")
    for cls, page in pages.items():
        fresh = make_state(cls, signed_in_as=None)
        assert own_values(page) == own_values(fresh), f"{cls.__name__} kept data"
