"""The tenants list: every installed portal, its status and last run."""

from __future__ import annotations

import reflex as rx

from connector_app.states.base import PortalState, operator_event
from connector_app.views import parse_optional_id, tenant_row
from sync.errors import ConnectorError
from sync.tenants import list_tenants, set_enabled, tenant_summary


class TenantsState(PortalState):
    rows: list[dict[str, str]] = rx.field(default_factory=list)
    error: str = ""

    def _refresh(self) -> None:
        self.rows = [tenant_row(tenant_summary(t)) for t in list_tenants()]

    @operator_event
    def open(self) -> None:
        self.error = ""
        self._refresh()

    @operator_event
    def toggle(self, tenant_id: str, enable: bool) -> None:
        self.error = ""
        try:
            wanted = parse_optional_id(tenant_id, "tenant")
            if wanted is not None:
                reason = f"disabled by {self.operator_email}"
                set_enabled(wanted, enable, reason=reason)
        except (ValueError, ConnectorError) as error:
            self.error = getattr(error, "message", str(error))
        self._refresh()
