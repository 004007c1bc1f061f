"""The HTTP API served beside the portal: OAuth, webhooks, the extension's API.

A plain Starlette app. Reflex mounts itself inside it (`api_transformer`), so
these routes answer first on the same port. Tests serve `build_api()` alone,
without Reflex. Each route module exposes a `routes` list.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connector_app.api import genius_webhooks, hubspot_webhooks, oauth


async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def build_api() -> Starlette:
    routes: list = [Route("/api/health", health), *genius_webhooks.routes]
    routes += [*oauth.routes, *hubspot_webhooks.routes]
    return Starlette(routes=routes)
