"""The tenant page: status, Genius connection, "Sync now" with live progress,
recent runs and their log lines, the schedule, enable/disable.

The sync itself runs in an arq worker; "Sync now" only enqueues it, then a
background task reads the run's row every half second until it ends.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from connector_app.states.base import PortalState
from connector_app.views import (
    event_row,
    parse_interval,
    run_is_finished,
    run_view,
    tenant_row,
)
from sync.activity import EventFilter, query_events
from sync.errors import ConnectorError
from sync.runs import get_run, list_runs, request_sync, run_summary
from sync.tenants import (
    disconnect,
    get_tenant,
    set_enabled,
    set_schedule,
    tenant_summary,
)

POLL_INTERVAL_S = 0.5
# A background task outlives the browser tab: stop watching after 15 minutes.
MAX_POLLS = 1800
RUN_LINES = 200


def run_lines(tenant_id: int, run_id: int) -> list[dict[str, str]]:
    """The run's log events, oldest first, as the page shows them."""
    events = query_events(tenant_id, EventFilter(run_id=run_id, limit=RUN_LINES))
    return [event_row(event) for event in reversed(events)]


class TenantState(PortalState):
    tenant: dict[str, str] = rx.field(default_factory=dict)
    run: dict[str, str] = rx.field(default_factory=dict)
    runs: list[dict[str, str]] = rx.field(default_factory=list)
    lines: list[dict[str, str]] = rx.field(default_factory=list)
    schedule_text: str = ""
    watching: bool = False
    error: str = ""
    notice: str = ""

    @rx.var
    def run_percent(self) -> int:
        return int(self.run.get("percent", "0") or 0)

    @property
    def current_id(self) -> int:
        return int(self.tenant.get("id", "0") or 0)

    def show_tenant(self, tenant_id: int, run_id: int | None = None) -> None:
        """Load what the page shows for `tenant_id`: run `run_id`, else the latest."""
        self.error = ""
        try:
            tenant = get_tenant(tenant_id)
        except ConnectorError as error:
            self.tenant, self.run, self.runs, self.lines = {}, {}, [], []
            self.error = error.message
            return
        self.tenant = tenant_row(tenant_summary(tenant))
        self.schedule_text = self.tenant["schedule_interval_min"]
        self.runs = [run_view(run_summary(run)) for run in list_runs(tenant_id)]
        shown = [run for run in self.runs if run["id"] == str(run_id)]
        self.run = shown[0] if shown else (self.runs[0] if self.runs else {})
        self.lines = run_lines(tenant_id, int(self.run["id"])) if self.run else []

    @rx.event
    def open(self) -> rx.event.EventSpec | None:
        redirect = self.guard()
        if redirect is not None:
            return redirect
        tenant_id = self.route_tenant_id()
        if tenant_id is None:
            self.error = "This address names no tenant: open one from the list."
            return None
        self.show_tenant(tenant_id)
        if self.run and not self.run["finished"] and not self.watching:
            return TenantState.watch_run
        return None

    @rx.event
    async def sync_now(self) -> rx.event.EventSpec | None:
        redirect = self.guard()
        if redirect is not None:
            return redirect
        self.error, self.notice = "", ""
        try:
            run = await request_sync(self.current_id, "manual")
        except ConnectorError as error:
            self.error = error.message
            return None
        self.run = run_view(run_summary(run))
        self.lines = []
        self.notice = f"Run {run.id} {run.status}."
        return None if self.watching else TenantState.watch_run

    @rx.event(background=True)
    async def watch_run(self) -> None:
        """Follow the shown run until it ends, refreshing its row every 500 ms.

        "Sync now" may put another run on screen meanwhile; the loop then
        follows that one.
        """
        async with self:
            if self.watching or not self.run:
                return
            self.watching = True
            tenant_id, run_id = self.current_id, int(self.run["id"])
        try:
            for _ in range(MAX_POLLS):
                run = await asyncio.to_thread(get_run, tenant_id, run_id)
                lines = await asyncio.to_thread(run_lines, tenant_id, run_id)
                async with self:
                    if self.run.get("id") == str(run_id):
                        self.run = run_view(run_summary(run)) if run else {}
                        self.lines = lines
                    shown_id = self.run.get("id", "")
                ended = run is None or run_is_finished(run.status)
                if ended and shown_id in ("", str(run_id)):
                    break
                if shown_id != str(run_id):
                    run_id = int(shown_id)
                    continue
                await asyncio.sleep(POLL_INTERVAL_S)
        finally:
            async with self:
                self.watching = False
                self.notice = ""
                # Keep the watched run on screen even if a webhook queued a newer one.
                if self.current_id == tenant_id:
                    self.show_tenant(tenant_id, run_id)

    @rx.event
    def set_schedule_text(self, text: str) -> None:
        self.schedule_text = text

    @rx.event
    def save_schedule(self) -> rx.event.EventSpec | None:
        redirect = self.guard()
        if redirect is not None:
            return redirect
        try:
            set_schedule(self.current_id, parse_interval(self.schedule_text))
        except (ValueError, ConnectorError) as error:
            self.error = getattr(error, "message", str(error))
            return None
        self.show_tenant(self.current_id)
        self.notice = f"Schedule saved: {self.tenant['schedule']}."
        return None

    @rx.event
    def toggle_enabled(self) -> rx.event.EventSpec | None:
        redirect = self.guard()
        if redirect is not None:
            return redirect
        enable = not self.tenant.get("enabled")
        try:
            set_enabled(
                self.current_id, enable, reason=f"disabled by {self.operator_email}"
            )
        except ConnectorError as error:
            self.error = error.message
            return None
        self.show_tenant(self.current_id)
        return None

    @rx.event
    async def disconnect_tenant(self) -> rx.event.EventSpec | None:
        """Uninstall the app from the tenant's portal (HubSpot's API), then
        keep its data until the retention period ends."""
        redirect = self.guard()
        if redirect is not None:
            return redirect
        try:
            await disconnect(self.current_id, by=self.operator_email)
        except ConnectorError as error:
            self.error = error.message
            return None
        self.show_tenant(self.current_id)
        self.notice = "Disconnected: HubSpot was told, and the tokens are wiped."
        return None
