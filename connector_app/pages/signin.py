"""Sign-in: the one page open to everyone."""

from __future__ import annotations

import reflex as rx

from connector_app.components.layout import message_callouts
from connector_app.states.signin import SignInState


def signin_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Sign in", size="6"),
                    rx.text("Operators of the Genius ERP × HubSpot connector."),
                    message_callouts(SignInState.error),
                    rx.input(
                        name="email",
                        id="email",
                        type="email",
                        placeholder="Email",
                        width="100%",
                    ),
                    rx.input(
                        name="password",
                        id="password",
                        type="password",
                        placeholder="Password",
                        width="100%",
                    ),
                    rx.button("Sign in", id="sign-in", type="submit", width="100%"),
                    spacing="4",
                ),
                on_submit=SignInState.submit,
            ),
            width="24em",
        ),
        height="100vh",
    )
