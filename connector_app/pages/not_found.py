"""The page of an address the portal does not know, in the portal's frame."""

from __future__ import annotations

import reflex as rx

from connector_app.components.layout import page_shell


def not_found_page() -> rx.Component:
    return page_shell(
        "Page not found",
        rx.text(
            "Nothing lives at this address. It may be mistyped, or the page "
            "it pointed to has moved.",
            id="not-found",
        ),
        rx.link("Back to the tenants", href="/tenants", id="back-home", size="3"),
    )
