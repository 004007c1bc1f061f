"""Helpers to drive the portal's states as plain Python, on the test database."""

from __future__ import annotations

from typing import Any, TypeVar

import pytest
import reflex as rx

from connector_app.access import issue_token
from store.db import session_scope
from store.models import Tenant

S = TypeVar("S", bound=rx.State)


def make_state(cls: type[S], *, signed_in_as: str | None = "ops@example.com") -> S:
    """A fresh state tree, as a browser tab gets it, holding `cls`'s instance."""
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    if signed_in_as is not None:
        state.access_token = issue_token(signed_in_as)
    return state


def redirect_target(result: Any) -> str | None:
    """The path of an `rx.redirect(...)` returned by a handler, else None."""
    if result is None:
        return None
    args = dict((name._js_expr, value) for name, value in result.args)
    return args["path"]._var_value


@pytest.fixture
def tenant(db: None) -> Tenant:
    with session_scope() as session:
        row = Tenant(hub_id="90000001", name="Usinage Beauce-Chaudière inc.")
        session.add(row)
    return row
