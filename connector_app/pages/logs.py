"""The log explorer: filter a tenant's events and page back through them."""

from __future__ import annotations

import reflex as rx

from connector_app.components.badges import level_badge
from connector_app.components.layout import message_callouts, page_shell
from connector_app.states.logs import LogsState


def filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.select.root(
                rx.select.trigger(placeholder="Tenant"),
                rx.select.content(
                    rx.foreach(
                        LogsState.tenant_options,
                        lambda o: rx.select.item(o["name"], value=o["id"]),
                    )
                ),
                name="tenant",
                value=LogsState.tenant_choice,
                on_change=LogsState.set_tenant_choice,
            ),
            rx.input(name="run", placeholder="run id", width="7em", id="filter-run"),
            rx.select(
                LogsState.level_choices,
                name="level",
                value=LogsState.level,
                on_change=LogsState.set_level,
            ),
            rx.input(name="event", placeholder="event, e.g. deal.", id="filter-event"),
            rx.input(
                name="record", placeholder="HubSpot or Genius id", id="filter-record"
            ),
            rx.input(name="text", placeholder="text in message", id="filter-text"),
            rx.button("Filter", type="submit", id="apply-filters"),
            wrap="wrap",
            spacing="2",
        ),
        on_submit=LogsState.apply,
    )


def event_line(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["at"], white_space="nowrap"),
        rx.table.cell(level_badge(row["level"])),
        rx.table.cell(rx.code(row["event"])),
        rx.table.cell(row["run_id"]),
        rx.table.cell(row["hubspot_id"]),
        rx.table.cell(row["genius_id"]),
        rx.table.cell(row["message"]),
        class_name="log-event",
    )


def events_table() -> rx.Component:
    headers = ("Time", "Level", "Event", "Run", "HubSpot id", "Genius id", "Message")
    return rx.table.root(
        rx.table.header(
            rx.table.row(*[rx.table.column_header_cell(h) for h in headers])
        ),
        rx.table.body(rx.foreach(LogsState.events, event_line)),
        width="100%",
        id="log-events",
    )


def pager() -> rx.Component:
    return rx.hstack(
        rx.button(
            "Newer",
            on_click=LogsState.newer,
            disabled=LogsState.page_number == 0,
            variant="soft",
        ),
        rx.text("page ", LogsState.page_number + 1),
        rx.button(
            "Older",
            on_click=LogsState.older,
            disabled=~LogsState.has_older,
            variant="soft",
        ),
        align="center",
    )


def logs_page() -> rx.Component:
    return page_shell(
        "Logs",
        filters(),
        message_callouts(LogsState.error),
        rx.cond(
            LogsState.events.length() == 0,
            rx.text("No event matches these filters.", id="no-events"),
            events_table(),
        ),
        pager(),
    )
