"""The log explorer: one tenant's events, filtered, newest first, a page at a time."""

from __future__ import annotations

import reflex as rx

from connector_app.states.base import PortalState, operator_event
from connector_app.views import event_row, parse_optional_id
from sync.activity import LEVELS, EventFilter, query_events
from sync.tenants import list_tenants

PAGE_SIZE = 50


class LogsState(PortalState):
    tenant_options: list[dict[str, str]] = rx.field(default_factory=list)
    tenant_choice: str = ""
    run_text: str = ""
    level: str = "all"
    event_prefix: str = ""
    record_id: str = ""
    text: str = ""
    events: list[dict[str, str]] = rx.field(default_factory=list)
    # Paging walks back in time: each entry is the `before_id` of a page shown.
    page_starts: list[int] = rx.field(default_factory=list)
    has_older: bool = False
    error: str = ""

    @rx.var
    def level_choices(self) -> list[str]:
        return ["all", *LEVELS]

    @rx.var
    def page_number(self) -> int:
        return len(self.page_starts)

    def _build_filter(self, before_id: int | None) -> EventFilter:
        """The filter of the form; ValueError names the field to fix."""
        return EventFilter(
            run_id=parse_optional_id(self.run_text, "run"),
            level="" if self.level == "all" else self.level,
            event_prefix=self.event_prefix.strip(),
            record_id=self.record_id.strip(),
            text=self.text.strip(),
            before_id=before_id,
            limit=PAGE_SIZE + 1,
        )

    def _show_page(self, before_id: int | None) -> bool:
        """Load the page that starts below `before_id`; False when the form is wrong."""
        self.error = ""
        if not self.tenant_choice:
            self.events, self.has_older = [], False
            return True
        try:
            tenant_id = parse_optional_id(self.tenant_choice, "tenant")
            wanted = self._build_filter(before_id)
        except ValueError as error:
            self.error = str(error)
            return False
        rows = query_events(tenant_id or 0, wanted)
        self.has_older = len(rows) > PAGE_SIZE
        self.events = [event_row(row) for row in rows[:PAGE_SIZE]]
        return True

    @operator_event
    def open(self) -> None:
        self.tenant_options = [
            {"id": str(tenant.id), "name": tenant.name} for tenant in list_tenants()
        ]
        known = {option["id"] for option in self.tenant_options}
        wanted = self.router.url.query_parameters.get("tenant", "")
        if wanted in known:
            self.tenant_choice = wanted
        elif self.tenant_choice not in known:
            self.tenant_choice = self.tenant_options[0]["id"] if known else ""
        self.page_starts = []
        self._show_page(None)

    @operator_event
    def apply(self, form: dict[str, str]) -> None:
        self.tenant_choice = form.get("tenant", self.tenant_choice)
        self.run_text = form.get("run", "")
        self.level = form.get("level", self.level) or "all"
        self.event_prefix = form.get("event", "")
        self.record_id = form.get("record", "")
        self.text = form.get("text", "")
        if self._show_page(None):
            self.page_starts = []

    @operator_event
    def older(self) -> None:
        if not self.events or not self.has_older:
            return
        before_id = int(self.events[-1]["id"])
        if self._show_page(before_id):
            self.page_starts = [*self.page_starts, before_id]

    @operator_event
    def newer(self) -> None:
        if not self.page_starts:
            return
        starts = self.page_starts[:-1]
        if self._show_page(starts[-1] if starts else None):
            self.page_starts = starts

    @operator_event
    def set_tenant_choice(self, tenant_id: str) -> None:
        self.tenant_choice = tenant_id
        self.page_starts = []
        self._show_page(None)

    @operator_event
    def set_level(self, level: str) -> None:
        self.level = level
