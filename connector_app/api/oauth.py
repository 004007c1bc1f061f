"""`/oauth/install` and `/oauth/callback`: installing the app in a HubSpot portal.

Thin routes over `sync.hubspot.install`. The install starts at
`/oauth/install` (optionally `?portal=<hub id>` to pin the account) and ends
on the portal's page of the new or re-activated tenant.
"""

from __future__ import annotations

import html

from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from runtime.logs import get_logger
from runtime.settings import get_settings
from sync.errors import AuthorizationNeeded, ConnectorError
from sync.hubspot.install import begin_install, complete_install

log = get_logger(__name__)


def problem_page(title: str, detail: str, status: int) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(detail)}</p>"
        "<p><a href='/oauth/install'>Start the installation again</a></p>"
        "</body></html>",
        status_code=status,
    )


def open_redis() -> Redis | None:
    url = get_settings().redis_url
    return Redis.from_url(url) if url else None


async def install(request: Request) -> Response:
    redis = open_redis()
    if redis is None:
        return problem_page("Installation unavailable", "Redis is not configured.", 503)
    try:
        url = await begin_install(redis, portal=request.query_params.get("portal"))
    except AuthorizationNeeded as refused:
        return problem_page("Installation refused", refused.message, 400)
    finally:
        await redis.aclose()
    return RedirectResponse(url, status_code=302)


async def callback(request: Request) -> Response:
    query = request.query_params
    if query.get("error"):
        return problem_page(
            "Installation cancelled",
            f"HubSpot answered {query['error'][:40]!r}; nothing was installed.",
            400,
        )
    if not query.get("code") or not query.get("state"):
        return problem_page("Installation failed", "code or state is missing.", 400)
    redis = open_redis()
    if redis is None:
        return problem_page("Installation unavailable", "Redis is not configured.", 503)
    try:
        tenant_id = await complete_install(
            redis, code=query["code"], state=query["state"]
        )
    except AuthorizationNeeded as refused:
        return problem_page("Installation refused", refused.message, 400)
    except ConnectorError as failed:
        log.warning("hubspot.install_failed", error=failed.message)
        return problem_page("Installation failed", failed.message, 502)
    finally:
        await redis.aclose()
    return RedirectResponse(f"/tenants/{tenant_id}", status_code=302)


routes = [
    Route("/oauth/install", install, methods=["GET"]),
    Route("/oauth/callback", callback, methods=["GET"]),
]
