"""The Genius ERP connection of the tenant page: test it, save it.

The key is sent once and stored encrypted; the page only ever shows its hint.
Testing and saving go through `sync.genius.connection`, which refuses addresses
the production rules forbid before anything is sent to them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from connector_app.states.base import PortalState, operator_event
from connector_app.states.tenant import TenantState
from sync.errors import ConnectorError
from sync.genius.connection import save_connection
from sync.genius.connection import test_connection as check_connection
from sync.tenants import get_tenant


class ConnectionState(PortalState):
    base_url: str = ""
    company: str = ""
    api_key: str = ""
    result: str = ""
    ok: bool = False
    busy: bool = False

    @operator_event
    def open(self) -> None:
        """Fill the form with the stored address and company (never the key)."""
        tenant_id = self._route_tenant_id()
        self.api_key, self.result, self.ok = "", "", False
        self.base_url, self.company = "", ""
        if tenant_id is None:
            return
        try:
            tenant = get_tenant(tenant_id)
        except ConnectorError:
            return
        self.base_url, self.company = tenant.genius_base_url, tenant.genius_company

    @operator_event
    def set_base_url(self, value: str) -> None:
        self.base_url = value

    @operator_event
    def set_company(self, value: str) -> None:
        self.company = value

    @operator_event
    def set_api_key(self, value: str) -> None:
        self.api_key = value

    @operator_event
    async def test(self) -> AsyncIterator[rx.event.EventSpec | None]:
        self.busy = True
        yield
        try:
            check = await check_connection(self.base_url, self.company, self.api_key)
            self.ok, self.result = check.ok, check.message
        except ConnectorError as error:
            self.ok, self.result = False, error.message
        finally:
            self.busy = False

    @operator_event
    async def save(self) -> AsyncIterator[rx.event.EventSpec | None]:
        tenant_id = self._route_tenant_id()
        if tenant_id is None:
            return
        self.busy = True
        yield
        try:
            check = await save_connection(
                tenant_id,
                base_url=self.base_url,
                company=self.company,
                api_key=self.api_key,
            )
            self.ok, self.result = check.ok, check.message
        except ConnectorError as error:
            self.ok, self.result = False, error.message
        finally:
            self.busy = False
        if self.ok:
            self.api_key = ""
            yield TenantState.open
