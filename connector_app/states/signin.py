"""The sign-in page: an operator's email and password against sync.operators."""

from __future__ import annotations

import asyncio

import reflex as rx

from connector_app.access import issue_token
from connector_app.states.base import HOME_ROUTE, PortalState
from sync.operators import authenticate


class SignInState(PortalState):
    error: str = ""

    @rx.event
    def open(self) -> rx.event.EventSpec | None:
        self.error = ""
        if self.signed_in_operator() is not None:
            return rx.redirect(HOME_ROUTE)
        return None

    @rx.event
    async def submit(self, form: dict[str, str]) -> rx.event.EventSpec | None:
        email = form.get("email", "").strip()
        password = form.get("password", "")
        if not email or not password:
            self.error = "Type your email and your password."
            return None
        # The password hash is deliberately slow; keep the event loop free.
        operator = await asyncio.to_thread(authenticate, email, password)
        if operator is None:
            self.error = "This email and password do not match an operator."
            return None
        self.error = ""
        self.access_token = issue_token(operator.email)
        self.operator_email = operator.email
        return rx.redirect(HOME_ROUTE)
