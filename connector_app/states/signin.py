"""The sign-in page: an operator's email and password against sync.operators.

Open to everyone by design: its handlers read no tenant. The service limits
wrong passwords per email and answers a locked email with when to come back.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from connector_app.access import issue_token
from connector_app.states.base import HOME_ROUTE, PortalState
from sync.errors import ConnectorError
from sync.operators import authenticate

NO_MATCH = "This email and password do not match an operator."


class SignInState(PortalState):
    error: str = ""

    @rx.event
    def open(self) -> rx.event.EventSpec | None:
        self.error = ""
        if self._signed_in_email() is not None:
            return rx.redirect(HOME_ROUTE)
        return None

    @rx.event
    async def submit(self, form: dict[str, str]) -> rx.event.EventSpec | None:
        email = str(form.get("email", "")).strip()
        password = str(form.get("password", ""))
        if not email or not password:
            self.error = "Type your email and your password."
            return None
        try:
            # The password hash is deliberately slow; keep the event loop free.
            operator = await asyncio.to_thread(authenticate, email, password)
        except ConnectorError as error:
            self.error = error.message
            return None
        if operator is None:
            self.error = NO_MATCH
            return None
        self.error = ""
        self.access_token = issue_token(operator.email)
        self.operator_email = operator.email
        return rx.redirect(HOME_ROUTE)
