"""The tenants list: every installed portal, its status and last run."""

from __future__ import annotations

import reflex as rx

from connector_app.states.base import PortalState
from connector_app.views import tenant_row
from sync.errors import ConnectorError
from sync.tenants import list_tenants, set_enabled, tenant_summary


class TenantsState(PortalState):
    rows: list[dict[str, str]] = rx.field(default_factory=list)
    error: str = ""

    def refresh(self) -> None:
        self.rows = [tenant_row(tenant_summary(t)) for t in list_tenants()]

    @rx.event
    def open(self) -> rx.event.EventSpec | None:
        redirect = self.guard()
        if redirect is not None:
            return redirect
        self.error = ""
        self.refresh()
        return None

    @rx.event
    def toggle(self, tenant_id: str, enable: bool) -> rx.event.EventSpec | None:
        redirect = self.guard()
        if redirect is not None:
            return redirect
        try:
            set_enabled(int(tenant_id), enable)
        except ConnectorError as error:
            self.error = error.message
        self.refresh()
        return None
