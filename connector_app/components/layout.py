"""The frame of every signed-in page: a top bar with navigation and sign-out."""

from __future__ import annotations

import reflex as rx

from connector_app.states.base import PortalState


def nav_link(label: str, href: str) -> rx.Component:
    return rx.link(label, href=href, size="3", weight="medium")


def top_bar() -> rx.Component:
    return rx.hstack(
        rx.heading("Genius ERP × HubSpot", size="5"),
        nav_link("Tenants", "/tenants"),
        nav_link("Logs", "/logs"),
        rx.spacer(),
        rx.text(PortalState.operator_email, size="2", color_scheme="gray"),
        # Pages open to everyone (the 404) share the bar; only an operator
        # has something to sign out of.
        rx.cond(
            PortalState.operator_email != "",
            rx.button(
                "Sign out",
                id="sign-out",
                variant="soft",
                size="1",
                on_click=PortalState.sign_out,
            ),
        ),
        align="center",
        spacing="5",
        width="100%",
        padding_y="0.75em",
        border_bottom="1px solid var(--gray-a5)",
    )


def page_shell(title: rx.Component | str, *children: rx.Component) -> rx.Component:
    """A signed-in page: the bar, a title and the page's content."""
    heading = rx.heading(title, size="7") if isinstance(title, str) else title
    return rx.container(
        rx.vstack(
            top_bar(),
            heading,
            *children,
            spacing="5",
            width="100%",
        ),
        size="4",
    )


def message_callouts(error: rx.Var, notice: rx.Var | None = None) -> rx.Component:
    """The page's error (red) and notice (green), each shown only when set."""
    parts = [
        rx.cond(
            error != "",
            rx.callout(error, icon="triangle_alert", color_scheme="red", id="error"),
        )
    ]
    if notice is not None:
        parts.append(
            rx.cond(
                notice != "",
                rx.callout(notice, icon="info", color_scheme="green", id="notice"),
            )
        )
    return rx.fragment(*parts)
