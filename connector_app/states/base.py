"""The root of the portal's states: who is signed in, and the guard of every page.

A browser tab can send any event handler's name over the websocket, whatever
page it shows, so no handler may assume that the page it belongs to was opened
by an operator. Every handler of a page state is therefore declared with
`operator_event` instead of `rx.event`: before the handler runs, the guard
reads the signed access token, and a tab without a genuine, unexpired one is
signed out (every page's data forgotten, then the sign-in page) instead.

Reflex also serves every public method of a state as an event handler, so
helpers of the states are private (`_name`) or module functions.

TODO: a tab whose token lapsed without a sign-out (expiry, or a sign-out in
another tab) still holds its pages until its next event; a reload then sends
them to that same browser once, before the guard of `on_load` clears them.
Reflex offers no hook before that first state sync.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import reflex as rx

from connector_app.access import read_token

SIGNIN_ROUTE = "/signin"
HOME_ROUTE = "/tenants"


def page_states() -> list[type[PortalState]]:
    """Every state under `PortalState`, depth first: the states of the pages."""
    found: list[type[PortalState]] = []
    pending = list(PortalState.get_substates())
    while pending:
        state_cls = pending.pop(0)
        found.append(state_cls)
        pending.extend(state_cls.get_substates())
    return found


class PortalState(rx.State):
    """Holds the signed access token, kept in the browser's local storage."""

    access_token: str = rx.LocalStorage("", name="connector_access", sync=True)
    operator_email: str = ""

    def _signed_in_email(self) -> str | None:
        """The operator behind the stored token; only reads, so a background
        task may call it outside `async with self`."""
        return read_token(self.access_token) if self.access_token else None

    def _route_tenant_id(self) -> int | None:
        """The tenant named by a `/tenants/<id>` address, if any."""
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() else None

    @rx.event
    async def sign_out(self) -> rx.event.EventSpec:
        """Forget the token and every page's data, then show the sign-in page.

        The tab keeps its state on the server: left as it was, the next page
        it opens would receive the previous operator's tenants and logs
        before any redirect.
        """
        for state_cls in page_states():
            page = await self.get_state(state_cls)
            page.reset()
        self.access_token = ""
        self.operator_email = ""
        return rx.redirect(SIGNIN_ROUTE)

    @rx.event
    def go_home(self) -> rx.event.EventSpec:
        return rx.redirect(HOME_ROUTE if self._signed_in_email() else SIGNIN_ROUTE)


def _admit(state: PortalState, *, background: bool) -> bool:
    """True when a genuine operator is signed in; keeps `operator_email` current."""
    email = state._signed_in_email()
    if email is None:
        return False
    # A background task may not write outside `async with self`; it only reads.
    if not background and state.operator_email != email:
        state.operator_email = email
    return True


def _guard(handler: Callable[..., Any], *, background: bool) -> Callable[..., Any]:
    """`handler` behind the sign-in check, of the same kind (plain, coroutine
    or async generator), since Reflex runs each kind differently."""
    if inspect.isasyncgenfunction(handler):

        @functools.wraps(handler)
        async def guarded_stream(self: PortalState, *args: Any, **kwargs: Any) -> Any:
            if not _admit(self, background=background):
                yield PortalState.sign_out
                return
            async for update in handler(self, *args, **kwargs):
                yield update

        return guarded_stream

    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def guarded_call(self: PortalState, *args: Any, **kwargs: Any) -> Any:
            if not _admit(self, background=background):
                return PortalState.sign_out
            return await handler(self, *args, **kwargs)

        return guarded_call

    @functools.wraps(handler)
    def guarded(self: PortalState, *args: Any, **kwargs: Any) -> Any:
        if not _admit(self, background=background):
            return PortalState.sign_out
        return handler(self, *args, **kwargs)

    return guarded


def operator_event(
    handler: Callable[..., Any] | None = None, *, background: bool = False
) -> Any:
    """`rx.event` for handlers only a signed-in operator may run.

    Use it bare (`@operator_event`) or with `background=True`.
    """

    def declare(fn: Callable[..., Any]) -> Any:
        return rx.event(_guard(fn, background=background), background=background)

    return declare if handler is None else declare(handler)
