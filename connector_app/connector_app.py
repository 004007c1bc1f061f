"""The Reflex app: the admin portal's pages, with our HTTP API in front of them.

Routes of `build_api()` (OAuth, webhooks, the extension's API) answer first
on the same port; everything else falls through to Reflex.
"""

from __future__ import annotations

import reflex as rx

from connector_app.api import build_api
from connector_app.pages.logs import logs_page
from connector_app.pages.not_found import not_found_page
from connector_app.pages.signin import signin_page
from connector_app.pages.tenant import tenant_page
from connector_app.pages.tenants import tenants_page
from connector_app.states.base import PortalState
from connector_app.states.connection import ConnectionState
from connector_app.states.logs import LogsState
from connector_app.states.signin import SignInState
from connector_app.states.tenant import TenantState
from connector_app.states.tenants import TenantsState

TITLE = "Genius ERP × HubSpot Connector"


def index_page() -> rx.Component:
    return rx.center(rx.spinner(), height="100vh")


app = rx.App(api_transformer=build_api())
app.add_page(index_page, route="/", title=TITLE, on_load=PortalState.go_home)
app.add_page(
    signin_page, route="/signin", title=f"Sign in · {TITLE}", on_load=SignInState.open
)
app.add_page(
    tenants_page,
    route="/tenants",
    title=f"Tenants · {TITLE}",
    on_load=TenantsState.open,
)
app.add_page(
    tenant_page,
    route="/tenants/[tenant_id]",
    title=f"Tenant · {TITLE}",
    on_load=[TenantState.open, ConnectionState.open],
)
app.add_page(logs_page, route="/logs", title=f"Logs · {TITLE}", on_load=LogsState.open)
app.add_page(not_found_page, route="404", title=f"Page not found · {TITLE}")
