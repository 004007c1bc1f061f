"""The tenant page: status, Genius connection, "Sync now" with live progress,
recent runs and their log lines, the schedule, enable/disable.

The sync itself runs in an arq worker; "Sync now" only enqueues it, then a
background task reads the run's row every half second until it ends.

Each action replaces the page's notice, and a notice about a queued run goes
as soon as the run starts, so the page never shows news that stopped being
true.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from connector_app.states.base import PortalState, operator_event
from connector_app.views import (
    event_row,
    parse_interval,
    run_is_finished,
    run_view,
    tenant_row,
    upsert_run,
)
from store.models import RunStatus, SyncRun
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
    # The run the notice announces as queued; the notice goes when it starts.
    _notice_run_id: str = ""

    @rx.var
    def run_percent(self) -> int:
        return int(self.run.get("percent", "0") or 0)

    @property
    def current_id(self) -> int:
        return int(self.tenant.get("id", "0") or 0)

    def _say(self, notice: str = "", error: str = "", run_id: str = "") -> None:
        """Replace the page's messages: each action's news supersedes the last."""
        self.notice, self.error, self._notice_run_id = notice, error, run_id

    def _show_tenant(self, tenant_id: int, run_id: int | None = None) -> None:
        """Load what the page shows for `tenant_id`: run `run_id`, else the latest."""
        try:
            tenant = get_tenant(tenant_id)
        except ConnectorError as error:
            self.tenant, self.run, self.runs, self.lines = {}, {}, [], []
            self._say(error=error.message)
            return
        self.tenant = tenant_row(tenant_summary(tenant))
        self.schedule_text = self.tenant["schedule_interval_min"]
        self.runs = [run_view(run_summary(run)) for run in list_runs(tenant_id)]
        shown = [run for run in self.runs if run["id"] == str(run_id)]
        self.run = shown[0] if shown else (self.runs[0] if self.runs else {})
        self.lines = run_lines(tenant_id, int(self.run["id"])) if self.run else []

    def _take_poll(
        self, tenant_id: int, run_id: int, run: SyncRun | None, lines: list
    ) -> str:
        """Put a polled run on screen if it is still the one shown; returns the
        id of the run the page shows now, empty when the page moved on."""
        if self.current_id != tenant_id:
            return ""
        if self.run.get("id") == str(run_id):
            self.run = run_view(run_summary(run)) if run else {}
            self.lines = lines
            if self.run:
                self.runs = upsert_run(self.runs, self.run)
            started = run is None or run.status != RunStatus.QUEUED
            if started and self._notice_run_id == str(run_id):
                self._say()
        return self.run.get("id", "")

    @operator_event
    def open(self) -> rx.event.EventSpec | None:
        self._say()
        tenant_id = self._route_tenant_id()
        if tenant_id is None:
            self.tenant, self.run, self.runs, self.lines = {}, {}, [], []
            self._say(error="This address names no tenant: open one from the list.")
            return None
        self._show_tenant(tenant_id)
        if self.run and not self.run["finished"] and not self.watching:
            return TenantState.watch_run
        return None

    @operator_event
    async def sync_now(self) -> rx.event.EventSpec | None:
        self._say()
        try:
            run = await request_sync(self.current_id, "manual")
        except ConnectorError as error:
            self._say(error=error.message)
            return None
        self.run = run_view(run_summary(run))
        self.runs = upsert_run(self.runs, self.run)
        self.lines = []
        if run.status == RunStatus.QUEUED:
            notice = f"Run {run.id} queued: it starts when a worker is free."
            self._say(notice, run_id=str(run.id))
        return None if self.watching else TenantState.watch_run

    @operator_event(background=True)
    async def watch_run(self) -> rx.event.EventSpec | None:
        """Follow the shown run until it ends, refreshing its row every 500 ms.

        "Sync now" may put another run on screen meanwhile; the loop then
        follows that one. It stops when the page shows another tenant or
        nothing (signed out), and hands over to a new watch when that other
        tenant's run is still going.
        """
        async with self:
            if self.watching or not self.run:
                return None
            self.watching = True
            tenant_id, run_id = self.current_id, int(self.run["id"])
        try:
            run_id = await self._follow(tenant_id, run_id)
        finally:
            async with self:
                hand_over = self._end_watch(tenant_id, run_id)
        return TenantState.watch_run if hand_over else None

    async def _follow(self, tenant_id: int, run_id: int) -> int:
        """Poll until the run shown ends or the page moves on; returns the
        id of the run followed last."""
        for _ in range(MAX_POLLS):
            run = await asyncio.to_thread(get_run, tenant_id, run_id)
            lines = await asyncio.to_thread(run_lines, tenant_id, run_id)
            async with self:
                shown_id = self._take_poll(tenant_id, run_id, run, lines)
            if not shown_id:
                break
            if shown_id != str(run_id):
                run_id = int(shown_id)
                continue
            if run is None or run_is_finished(run.status):
                break
            await asyncio.sleep(POLL_INTERVAL_S)
        return run_id

    def _end_watch(self, tenant_id: int, run_id: int) -> bool:
        """Show how the watched run ended; True when the page now shows
        another tenant's run that still needs watching."""
        self.watching = False
        if self._notice_run_id == str(run_id):
            self._say()
        if self.current_id == tenant_id:
            # Keep the watched run on screen even if a webhook queued a newer one.
            self._show_tenant(tenant_id, run_id)
            return False
        return bool(self.run) and not self.run["finished"]

    @operator_event
    def set_schedule_text(self, text: str) -> None:
        self.schedule_text = text

    @operator_event
    def save_schedule(self) -> None:
        self._say()
        try:
            set_schedule(self.current_id, parse_interval(self.schedule_text))
        except (ValueError, ConnectorError) as error:
            self._say(error=getattr(error, "message", str(error)))
            return
        self._show_tenant(self.current_id)
        saved = f"Schedule saved: {self.tenant['schedule']}."
        if self.tenant["schedule_paused"]:
            saved += f" {self.tenant['next_run']}"
        self._say(saved)

    @operator_event
    def toggle_enabled(self) -> None:
        self._say()
        enable = not self.tenant.get("enabled")
        try:
            set_enabled(
                self.current_id, enable, reason=f"disabled by {self.operator_email}"
            )
        except ConnectorError as error:
            self._say(error=error.message)
            return
        self._show_tenant(self.current_id)
        if enable:
            self._say("Tenant enabled.")
        else:
            self._say("Tenant disabled.")

    @operator_event
    async def disconnect_tenant(self) -> None:
        """Uninstall the app from the tenant's portal (HubSpot's API), then
        keep its data until the retention period ends."""
        self._say()
        try:
            await disconnect(self.current_id, by=self.operator_email)
        except ConnectorError as error:
            self._say(error=error.message)
            return
        self._show_tenant(self.current_id)
        self._say("Disconnected: HubSpot was told, and the tokens are wiped.")
