"""OAuth as HubSpot serves it: consent, token exchange and refresh, introspection,
revocation, and the uninstall API.

Authorization codes are single use and live 10 minutes; access tokens live
the `token_ttl_s` fault (1800 s like HubSpot's; shorter for tests); a refresh returns
the same refresh token unless the `rotate_refresh_tokens` fault is on.
"""

from __future__ import annotations

import html
import secrets
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from sandbox.hubspot.errors import correlation_id
from sandbox.hubspot.gate import Call
from sandbox.hubspot.registry import App, Grant, World
from sandbox.hubspot.values import now_ms
from sandbox.hubspot.world import Portal

if TYPE_CHECKING:
    from sandbox.hubspot.app import Sandbox

CODE_TTL_MS = 10 * 60 * 1000
LOOPBACK = {"localhost", "127.0.0.1", "[::1]", "::1"}


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


def redirect_allowed(app: App, uri: str) -> bool:
    if app.redirect_uris:
        return uri in app.redirect_uris
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and (parts.hostname or "") in LOOPBACK


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"</head><body><h1>{title}</h1>{body}</body></html>",
        status_code=status,
    )


async def authorize(request: Request) -> Response:
    sandbox = _sandbox(request)
    world = sandbox.world
    query = request.query_params
    app = world.app_by_client(query.get("client_id", ""))
    if app is None:
        return _page("Authorization failed", "<p>Unknown client_id.</p>", 400)
    redirect_uri = query.get("redirect_uri", "")
    if not redirect_allowed(app, redirect_uri):
        return _page(
            "Authorization failed",
            "<p>redirect_uri does not match the app's redirect URLs.</p>",
            400,
        )
    if not query.get("scope", "").split():
        return _page("Authorization failed", "<p>scope is required.</p>", 400)
    pinned = request.path_params.get("portalId")
    if pinned is None and len(world.portals) != 1:
        return _choose_portal(world, request)
    hub_id = int(pinned) if pinned is not None else next(iter(world.portals))
    portal = world.portals.get(hub_id)
    if portal is None:
        return _page("Authorization failed", f"<p>No account {hub_id}.</p>", 404)
    return _consent(sandbox, app, portal, redirect_uri, query)


def _choose_portal(world: World, request: Request) -> Response:
    query = str(request.query_params)
    items = "".join(
        f"<li><a href='/oauth/{hub_id}/authorize?{html.escape(query)}'>"
        f"{html.escape(portal.name)} ({hub_id})</a></li>"
        for hub_id, portal in sorted(world.portals.items())
    )
    if not items:
        items = "<li>No account yet: add one with POST /_sandbox/portals.</li>"
    return _page("Choose an account", f"<ul>{items}</ul>")


def _consent(
    sandbox: Sandbox, app: App, portal: Portal, redirect_uri: str, query: Any
) -> Response:
    state = query.get("state")
    extra = {"state": state} if state is not None else {}
    if sandbox.faults.deny_consent:
        target = _with_query(redirect_uri, {"error": "access_denied", **extra})
        return RedirectResponse(target, status_code=302)
    code = str(uuid.uuid4())
    scopes = [*query.get("scope", "").split(), *query.get("optional_scope", "").split()]
    sandbox.world.codes[code] = {
        "hub_id": portal.hub_id,
        "app_id": app.app_id,
        "user_id": int(portal.users[0]["id"]),
        "scopes": list(dict.fromkeys(scopes)),
        "redirect_uri": redirect_uri,
        "expires_ms": now_ms() + CODE_TTL_MS,
    }
    sandbox.world.installs.add((app.app_id, portal.hub_id))
    sandbox.mark_dirty()
    return RedirectResponse(_with_query(redirect_uri, {"code": code, **extra}), 302)


def _with_query(uri: str, params: dict[str, str]) -> str:
    joiner = "&" if urlsplit(uri).query else "?"
    return uri + joiner + urlencode(params)


def _oauth_error(
    request: Request, error: str, status_name: str, message: str, code: int = 400
) -> JSONResponse:
    body: dict[str, Any] = {
        "status": status_name,
        "message": message,
        "correlationId": correlation_id(),
    }
    if "/v1/" not in request.url.path:
        # The v3 and dated endpoints answer RFC 6749 keys beside the legacy ones.
        body = {
            "error": error,
            "error_description": message,
            "category": "VALIDATION_ERROR",
            **body,
        }
    return JSONResponse(body, status_code=code)


def _client(world: World, form: Any) -> App | None:
    app = world.app_by_client(str(form.get("client_id", "")))
    if app is None or not secrets.compare_digest(
        app.client_secret.encode(), str(form.get("client_secret", "")).encode()
    ):
        return None
    return app


async def token(request: Request) -> Response:
    sandbox = _sandbox(request)
    form = await request.form()
    app = _client(sandbox.world, form)
    if app is None:
        return _oauth_error(
            request,
            "invalid_client",
            "BAD_CLIENT_ID",
            "missing or invalid client id or secret",
        )
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        return _exchange_code(request, sandbox, app, form)
    if grant_type == "refresh_token":
        return _refresh(request, sandbox, app, form)
    return _oauth_error(
        request,
        "unsupported_grant_type",
        "BAD_GRANT_TYPE",
        f"grant_type {grant_type!r} is not supported",
    )


def _exchange_code(request: Request, sandbox: Sandbox, app: App, form: Any) -> Response:
    code = sandbox.world.codes.pop(str(form.get("code", "")), None)
    if code is None or code["app_id"] != app.app_id or code["expires_ms"] < now_ms():
        return _oauth_error(
            request, "invalid_grant", "BAD_AUTH_CODE", "missing or invalid auth code"
        )
    if form.get("redirect_uri") != code["redirect_uri"]:
        return _oauth_error(
            request,
            "invalid_grant",
            "BAD_REDIRECT_URI",
            "redirect_uri does not match the one used to authorize",
        )
    grant = Grant(code["hub_id"], app.app_id, code["user_id"], code["scopes"])
    refresh_token = f"na1-{uuid.uuid4()}"
    sandbox.world.refresh_tokens[refresh_token] = grant
    return _issue(sandbox, grant, refresh_token)


def _refresh(request: Request, sandbox: Sandbox, app: App, form: Any) -> Response:
    world = sandbox.world
    old = str(form.get("refresh_token", ""))
    grant = world.refresh_tokens.get(old)
    if grant is None or grant.app_id != app.app_id:
        return _oauth_error(
            request,
            "invalid_grant",
            "BAD_REFRESH_TOKEN",
            "missing or invalid refresh token",
        )
    refresh_token = old
    if sandbox.faults.rotate_refresh_tokens:
        refresh_token = f"na1-{uuid.uuid4()}"
        world.refresh_tokens[refresh_token] = world.refresh_tokens.pop(old)
    return _issue(sandbox, grant, refresh_token)


def _issue(sandbox: Sandbox, grant: Grant, refresh_token: str) -> Response:
    world = sandbox.world
    access_token = "CO" + secrets.token_urlsafe(120)
    world.access_tokens[access_token] = Grant(
        grant.hub_id,
        grant.app_id,
        grant.user_id,
        list(grant.scopes),
        expires_ms=now_ms() + sandbox.faults.token_ttl_s * 1000,
        refresh_token=refresh_token,
    )
    sandbox.mark_dirty()
    return JSONResponse(
        {
            "access_token": access_token,
            "refresh_token": refresh_token,
            "expires_in": sandbox.faults.token_ttl_s,
            "token_type": "bearer",
            "token_use": "access_token",
            "hub_id": grant.hub_id,
            "user_id": grant.user_id,
            "scopes": grant.scopes,
        }
    )


def _describe(world: World, token_value: str, grant: Grant, *, access: bool) -> dict:
    portal = world.portals.get(grant.hub_id)
    app = world.apps[grant.app_id]
    user = (
        next((u for u in portal.users if u["id"] == grant.user_id), {})
        if portal
        else {}
    )
    info: dict[str, Any] = {
        "token": token_value,
        "user": user.get("email", ""),
        "hub_domain": portal.domain if portal else "",
        "scopes": grant.scopes,
        "hub_id": grant.hub_id,
        "app_id": grant.app_id,
        "client_id": app.client_id,
        "user_id": grant.user_id,
        "token_type": "access" if access else "refresh",
    }
    if access:
        expires_in = max(0, (grant.expires_ms - now_ms()) // 1000)
        info.update(
            expires_in=expires_in,
            is_private_distribution=False,
            signed_access_token=_signed(grant),
        )
    return info


def _signed(grant: Grant) -> dict[str, Any]:
    return {
        "expiresAt": grant.expires_ms,
        "scopes": "",
        "hubId": grant.hub_id,
        "userId": grant.user_id,
        "appId": grant.app_id,
        "installingUserId": grant.user_id,
        "isUserLevel": False,
        "isServiceAccount": False,
        "isPrivateDistribution": False,
        "hublet": "na1",
        "appInstallId": f"{grant.app_id}-{grant.hub_id}",
        "audience": "",
        "signature": "",
        "newSignature": "",
        "scopeToScopeGroupPks": "",
        "trialScopes": "",
        "trialScopeToScopeGroupPks": "",
    }


async def introspect(request: Request) -> Response:
    sandbox = _sandbox(request)
    form = await request.form()
    if _client(sandbox.world, form) is None:
        return _oauth_error(
            request,
            "invalid_client",
            "BAD_CLIENT_ID",
            "missing or invalid client id or secret",
            401,
        )
    value = str(form.get("token", ""))
    world = sandbox.world
    access = world.access_tokens.get(value)
    if access is not None and access.expires_ms > now_ms():
        info = _describe(world, value, access, access=True)
        return JSONResponse({"active": True, "token_use": "access_token", **info})
    refresh = world.refresh_tokens.get(value)
    if refresh is not None:
        info = _describe(world, value, refresh, access=False)
        return JSONResponse({"active": True, "token_use": "refresh_token", **info})
    return JSONResponse({"active": False})


async def revoke(request: Request) -> Response:
    sandbox = _sandbox(request)
    form = await request.form()
    if _client(sandbox.world, form) is None:
        return _oauth_error(
            request,
            "invalid_client",
            "BAD_CLIENT_ID",
            "missing or invalid client id or secret",
            401,
        )
    sandbox.world.refresh_tokens.pop(str(form.get("token", "")), None)
    sandbox.mark_dirty()
    return Response(status_code=200)


async def access_token_info(request: Request) -> Response:
    world = _sandbox(request).world
    value = request.path_params["token"]
    grant = world.access_tokens.get(value)
    if grant is None or grant.expires_ms <= now_ms():
        return _oauth_error(
            request,
            "invalid_grant",
            "BAD_ACCESS_TOKEN",
            "missing or invalid access token",
            404,
        )
    return JSONResponse(_describe(world, value, grant, access=True))


async def refresh_token_info(request: Request) -> Response:
    sandbox = _sandbox(request)
    value = request.path_params["token"]
    grant = sandbox.world.refresh_tokens.get(value)
    if request.method == "DELETE":
        sandbox.world.refresh_tokens.pop(value, None)
        sandbox.mark_dirty()
        return Response(status_code=204)
    if grant is None:
        return _oauth_error(
            request,
            "invalid_grant",
            "BAD_REFRESH_TOKEN",
            "missing or invalid refresh token",
            404,
        )
    info = _describe(sandbox.world, value, grant, access=False)
    info.pop("app_id")
    return JSONResponse(info)


def forget_install(world: World, app_id: int, hub_id: int) -> None:
    """What an uninstall does: the install and every token of it are gone."""
    world.installs.discard((app_id, hub_id))
    for book in (world.access_tokens, world.refresh_tokens):
        for value in [
            t for t, g in book.items() if (g.app_id, g.hub_id) == (app_id, hub_id)
        ]:
            del book[value]


async def external_uninstall(call: Call) -> Response:
    forget_install(call.sandbox.world, call.app.app_id, call.portal.hub_id)
    call.sandbox.mark_dirty()
    return Response(status_code=204)
