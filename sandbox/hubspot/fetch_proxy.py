"""What `hubspot.fetch` does for a UI extension (a deal card, the settings page).

The extension cannot set headers; HubSpot's proxy calls the app's backend
for it, appending who is looking (`appId`, `portalId`, `userId`,
`userEmail`) to the query and signing the request with v3. It waits 15
seconds at most and passes on answers up to 1 MB.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.hubspot.errors import ApiError, read_json
from sandbox.hubspot.webhooks import signed_headers

if TYPE_CHECKING:
    from sandbox.hubspot.app import Sandbox

TIMEOUT_S = 15.0
MAX_ANSWER_BYTES = 1024 * 1024


def card_url(url: str, context: dict[str, Any]) -> str:
    joiner = "&" if urlsplit(url).query else "?"
    return url + joiner + urlencode(context)


async def proxy_fetch(request: Request, sandbox: Sandbox) -> Response:
    """`POST /_sandbox/fetch`: call a backend as an extension's `hubspot.fetch`."""
    order = await read_json(request)
    world = sandbox.world
    app = world.apps.get(int(order.get("appId") or next(iter(world.apps))))
    portal = world.portals.get(int(order.get("hubId", 0)))
    if app is None or portal is None:
        raise ApiError(404, "OBJECT_NOT_FOUND", "unknown app or portal")
    user = portal.users[0]
    context = {
        "appId": app.app_id,
        "portalId": portal.hub_id,
        "userId": order.get("userId", user["id"]),
        "userEmail": order.get("userEmail", user["email"]),
    }
    url = card_url(str(order["url"]), context)
    method = str(order.get("method", "GET")).upper()
    body = b"" if order.get("body") is None else json.dumps(order["body"]).encode()
    headers = signed_headers(app, method, url, body)
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as client:
        try:
            answer = await client.request(method, url, content=body, headers=headers)
        except httpx.HTTPError as error:
            return JSONResponse({"status": 0, "error": type(error).__name__})
    if len(answer.content) > MAX_ANSWER_BYTES:
        return JSONResponse({"status": 0, "error": "answer larger than 1 MB"})
    try:
        parsed: Any = answer.json()
    except ValueError:
        parsed = answer.text
    return JSONResponse({"status": answer.status_code, "body": parsed, "url": url})
