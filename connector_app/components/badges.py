"""Coloured badges for tenant and run statuses."""

from __future__ import annotations

import reflex as rx

STATUS_COLOURS = (
    ("active", "green"),
    ("succeeded", "green"),
    ("running", "blue"),
    ("queued", "blue"),
    ("partial", "amber"),
    ("disabled", "gray"),
    ("never", "gray"),
    ("reauth_needed", "orange"),
    ("parked", "orange"),
    ("failed", "red"),
    ("uninstalled", "red"),
)


def status_badge(status: rx.Var, **props: object) -> rx.Component:
    colour = rx.match(status, *STATUS_COLOURS, "gray")
    return rx.badge(status, color_scheme=colour, variant="soft", **props)


def level_badge(level: rx.Var) -> rx.Component:
    colour = rx.match(
        level, ("error", "red"), ("warning", "amber"), ("debug", "gray"), "blue"
    )
    return rx.badge(level, color_scheme=colour, variant="outline")
