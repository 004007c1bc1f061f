"""One tenant: status, Genius connection, "Sync now" and its run, runs, schedule."""

from __future__ import annotations

import reflex as rx

from connector_app.components.badges import level_badge, status_badge
from connector_app.components.layout import message_callouts, page_shell
from connector_app.states.connection import ConnectionState
from connector_app.states.tenant import TenantState

T = TenantState.tenant
RUN = TenantState.run


def field(label: str, value: rx.Component | rx.Var | str) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def status_card() -> rx.Component:
    enabled = T["enabled"] != ""
    return rx.card(
        rx.vstack(
            rx.heading("Status", size="4"),
            rx.data_list.root(
                field("Status", status_badge(T["status"], id="tenant-status")),
                field(
                    "Reason", rx.cond(T["status_reason"] != "", T["status_reason"], "—")
                ),
                field("HubSpot portal", T["hub_id"]),
                field(
                    "Genius ERP",
                    rx.cond(
                        T["genius_connected"] != "",
                        rx.text(
                            T["genius_company"],
                            " at ",
                            T["genius_base_url"],
                            rx.cond(
                                T["genius_key_hint"] != "",
                                rx.text.span(" (API key ", T["genius_key_hint"], ")"),
                                "",
                            ),
                            id="genius",
                        ),
                        rx.text("not connected", id="genius"),
                    ),
                ),
            ),
            status_note(),
            # An uninstalled tenant comes back only through a new install in
            # HubSpot: nothing here could enable, sync or disconnect it.
            rx.cond(
                T["installed"] != "",
                rx.hstack(
                    rx.button(
                        rx.cond(enabled, "Disable tenant", "Enable tenant"),
                        id="toggle-tenant",
                        variant="soft",
                        color_scheme=rx.cond(enabled, "gray", "green"),
                        on_click=TenantState.toggle_enabled,
                    ),
                    disconnect_button(),
                    spacing="3",
                ),
            ),
            spacing="3",
        ),
        flex="1",
    )


def status_note() -> rx.Component:
    """Why the tenant does not sync, and what brings it back."""
    return rx.cond(
        T["status_note"] != "",
        rx.callout(
            T["status_note"],
            icon="info",
            color_scheme=rx.cond(T["installed"] != "", "amber", "red"),
            size="1",
            id="status-note",
        ),
    )


def disconnect_button() -> rx.Component:
    """Disconnecting uninstalls the app from the portal: it asks first."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Disconnect", id="disconnect", variant="soft", color_scheme="red")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Disconnect this portal?"),
            rx.alert_dialog.description(
                "The app is uninstalled from the HubSpot portal, syncing stops and "
                "the HubSpot tokens are wiped. Links and logs are kept for the "
                "retention period, then purged. The portal's admin can install "
                "the app again."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                rx.alert_dialog.action(
                    rx.button(
                        "Disconnect",
                        id="confirm-disconnect",
                        color_scheme="red",
                        on_click=TenantState.disconnect_tenant,
                    )
                ),
                justify="end",
                spacing="3",
            ),
        ),
    )


def connection_card() -> rx.Component:
    """Where an operator connects the tenant's Genius ERP (tested before saved)."""
    C = ConnectionState
    return rx.card(
        rx.vstack(
            rx.heading("Genius ERP connection", size="4"),
            rx.text(
                "The address of the tenant's Genius ERP API, its company code and "
                "an API key. The key is stored encrypted and never shown again.",
                size="2",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.input(
                    value=C.base_url,
                    on_change=C.set_base_url,
                    placeholder="https://genius.example.com",
                    id="genius-url",
                    flex="2",
                ),
                rx.input(
                    value=C.company,
                    on_change=C.set_company,
                    placeholder="company code",
                    id="genius-company",
                    flex="1",
                ),
                rx.input(
                    value=C.api_key,
                    on_change=C.set_api_key,
                    placeholder="API key",
                    type="password",
                    id="genius-key",
                    flex="1",
                ),
                width="100%",
            ),
            rx.hstack(
                rx.button(
                    "Test connection",
                    id="genius-test",
                    variant="soft",
                    loading=C.busy,
                    on_click=C.test,
                ),
                rx.button("Save", id="genius-save", loading=C.busy, on_click=C.save),
                rx.cond(
                    C.result != "",
                    rx.text(
                        C.result,
                        color_scheme=rx.cond(C.ok, "green", "red"),
                        size="2",
                        id="genius-result",
                    ),
                ),
                align="center",
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def schedule_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Schedule", size="4"),
            rx.text("Currently ", rx.text.strong(T["schedule"]), ".", id="schedule"),
            rx.cond(
                T["next_run"] != "",
                rx.text(
                    T["next_run"],
                    color_scheme=rx.cond(T["schedule_paused"] != "", "amber", "gray"),
                    id="next-run",
                ),
            ),
            rx.cond(
                T["installed"] != "",
                rx.hstack(
                    rx.input(
                        value=TenantState.schedule_text,
                        on_change=TenantState.set_schedule_text,
                        placeholder="minutes, empty for off",
                        id="schedule-minutes",
                    ),
                    rx.button(
                        "Save", id="save-schedule", on_click=TenantState.save_schedule
                    ),
                ),
            ),
            spacing="3",
        ),
        flex="1",
    )


def run_panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Run ", RUN["id"], size="4"),
                status_badge(RUN["status"], id="run-status"),
                rx.text(RUN["trigger"], color_scheme="gray"),
                rx.cond(TenantState.watching, rx.spinner(id="run-watching")),
                align="center",
            ),
            rx.cond(
                RUN["finished"] != "",
                rx.vstack(
                    rx.text(RUN["counts"], id="run-counts"),
                    rx.text(
                        "Took ",
                        RUN["duration"],
                        ", ended ",
                        RUN["finished_at"],
                        id="run-duration",
                    ),
                    rx.cond(
                        RUN["error"] != "",
                        rx.text(RUN["error"], color_scheme="red", id="run-error"),
                    ),
                ),
                rx.vstack(
                    rx.text(
                        RUN["phase"],
                        " ",
                        RUN["progress_done"],
                        " / ",
                        RUN["progress_total"],
                        id="run-progress-text",
                    ),
                    rx.progress(
                        value=TenantState.run_percent,
                        max=100,
                        width="100%",
                        id="run-progress",
                    ),
                    width="100%",
                ),
            ),
            rx.cond(TenantState.lines.length() > 0, run_lines()),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def run_line(line: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line["at"], white_space="nowrap", color="var(--gray-11)"),
        rx.table.cell(level_badge(line["level"])),
        rx.table.cell(rx.code(line["event"])),
        rx.table.cell(line["record"], class_name="run-line-record"),
        rx.table.cell(line["message"]),
        class_name="run-line",
    )


def run_lines() -> rx.Component:
    """The run's log lines, each naming the HubSpot and Genius records."""
    headers = ("Time", "Level", "Event", "Record", "Message")
    return rx.scroll_area(
        rx.table.root(
            rx.table.header(
                rx.table.row(*[rx.table.column_header_cell(h) for h in headers])
            ),
            rx.table.body(rx.foreach(TenantState.lines, run_line)),
            size="1",
            width="100%",
        ),
        max_height="24em",
        id="run-lines",
    )


def recent_runs() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(label)
                    for label in (
                        "Run",
                        "Trigger",
                        "Status",
                        "Queued",
                        "Duration",
                        "Counts",
                    )
                ]
            )
        ),
        rx.table.body(
            rx.foreach(
                TenantState.runs,
                lambda run: rx.table.row(
                    rx.table.cell(run["id"]),
                    rx.table.cell(run["trigger"]),
                    rx.table.cell(status_badge(run["status"])),
                    rx.table.cell(run["queued_at"]),
                    rx.table.cell(run["duration"]),
                    rx.table.cell(run["counts"]),
                ),
            )
        ),
        width="100%",
        id="recent-runs",
    )


def tenant_page() -> rx.Component:
    return page_shell(
        rx.hstack(
            rx.heading(
                rx.cond(T["name"], T["name"], "Tenant"), size="7", id="tenant-name"
            ),
            rx.spacer(),
            rx.link("Logs", href="/logs?tenant=" + T["id"]),
            rx.cond(
                T["installed"] != "",
                rx.button(
                    "Sync now",
                    id="sync-now",
                    size="3",
                    # Stays enabled while a run is followed: a click on a tenant
                    # whose run still waits gets that run back, not a second one.
                    disabled=T["can_sync"] == "",
                    on_click=TenantState.sync_now,
                ),
            ),
            align="center",
            width="100%",
        ),
        message_callouts(TenantState.error, TenantState.notice),
        rx.cond(
            T["id"],
            rx.vstack(
                rx.hstack(status_card(), schedule_card(), width="100%", spacing="4"),
                rx.cond(T["installed"] != "", connection_card()),
                rx.cond(RUN["id"], run_panel(), rx.text("No run yet.", id="no-run")),
                rx.heading("Recent runs", size="4"),
                recent_runs(),
                spacing="5",
                width="100%",
            ),
        ),
    )
