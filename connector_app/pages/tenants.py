"""The tenants list: status, last run, Genius connection, enable/disable."""

from __future__ import annotations

import reflex as rx

from connector_app.components.badges import status_badge
from connector_app.components.layout import message_callouts, page_shell
from connector_app.states.tenants import TenantsState


def tenant_line(row: rx.Var) -> rx.Component:
    enabled = row["enabled"] != ""
    return rx.table.row(
        rx.table.cell(
            rx.link(row["name"], href="/tenants/" + row["id"], class_name="tenant-link")
        ),
        rx.table.cell(row["hub_id"]),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(
            rx.hstack(status_badge(row["last_run_status"]), rx.text(row["last_run_at"]))
        ),
        rx.table.cell(rx.cond(row["genius_company"] != "", row["genius_company"], "—")),
        rx.table.cell(
            rx.hstack(
                rx.text(row["schedule"], white_space="nowrap"),
                rx.cond(
                    row["schedule_paused"] != "",
                    rx.badge("paused", color_scheme="amber", variant="soft"),
                ),
            )
        ),
        rx.table.cell(
            rx.cond(
                row["installed"] != "",
                rx.button(
                    rx.cond(enabled, "Disable", "Enable"),
                    size="1",
                    variant="soft",
                    color_scheme=rx.cond(enabled, "gray", "green"),
                    on_click=TenantsState.toggle(row["id"], ~enabled),
                ),
                # Only a new install in HubSpot brings an uninstalled portal back.
                rx.text(
                    "re-install from HubSpot",
                    size="1",
                    color_scheme="gray",
                    white_space="nowrap",
                ),
            )
        ),
    )


def tenants_page() -> rx.Component:
    return page_shell(
        "Tenants",
        message_callouts(TenantsState.error),
        rx.cond(
            TenantsState.rows.length() == 0,
            rx.text("No HubSpot portal has installed the app yet.", id="no-tenants"),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(label)
                            for label in (
                                "Portal",
                                "Hub id",
                                "Status",
                                "Last run",
                                "Genius company",
                                "Schedule",
                                "",
                            )
                        ]
                    )
                ),
                rx.table.body(rx.foreach(TenantsState.rows, tenant_line)),
                width="100%",
                id="tenants",
            ),
        ),
    )
