"""Reflex configuration: the app, its single port and the product's database.

Ports and the database URL come from `runtime.settings`, like every other
part. Telemetry is off; the launcher also sets the variables that keep Reflex
offline (see docs/operations.md).
"""

import reflex as rx

from runtime.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="connector_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    db_url=settings.effective_database_url,
    frontend_port=settings.app_port,
    backend_port=settings.app_port,
    backend_host="127.0.0.1",
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo")),
    ],
)
