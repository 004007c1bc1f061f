"""The root of the portal's states: who is signed in, and the guard of every page."""

from __future__ import annotations

import reflex as rx

from connector_app.access import read_token

SIGNIN_ROUTE = "/signin"
HOME_ROUTE = "/tenants"


class PortalState(rx.State):
    """Holds the signed access token, kept in the browser's local storage."""

    access_token: str = rx.LocalStorage("", name="connector_access", sync=True)
    operator_email: str = ""

    def signed_in_operator(self) -> str | None:
        """The operator behind the stored token, refreshing `operator_email`."""
        email = read_token(self.access_token) if self.access_token else None
        self.operator_email = email or ""
        return email

    def route_tenant_id(self) -> int | None:
        """The tenant named by a `/tenants/<id>` address, if any."""
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() else None

    def guard(self) -> rx.event.EventSpec | None:
        """A redirect to the sign-in page when nobody valid is signed in."""
        if self.signed_in_operator() is None:
            return rx.redirect(SIGNIN_ROUTE)
        return None

    @rx.event
    def sign_out(self) -> rx.event.EventSpec:
        self.access_token = ""
        self.operator_email = ""
        return rx.redirect(SIGNIN_ROUTE)

    @rx.event
    def go_home(self) -> rx.event.EventSpec:
        return rx.redirect(HOME_ROUTE if self.signed_in_operator() else SIGNIN_ROUTE)
