"""Endpoints only the sandbox has, under `/_sandbox/` (see README.md).

They need no token: the sandbox listens on loopback for tests, benchmarks
and the demo. Record edits made here count as a person's edits in HubSpot's
UI: history source `CRM_UI`, webhooks with `changeSource: CRM_UI`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.hubspot import catalog, shapes
from sandbox.hubspot.errors import ApiError, read_json, render_error
from sandbox.hubspot.fetch_proxy import proxy_fetch
from sandbox.hubspot.fixture import FixtureError, build_world, dump_world, load_portal
from sandbox.hubspot.oauth_server import forget_install
from sandbox.hubspot.values import now_ms
from sandbox.hubspot.world import Portal, Source
from sandbox.hubspot.writes import WriteRejected, check_properties

if TYPE_CHECKING:
    from sandbox.hubspot.app import Sandbox


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


def admin(handler: Any, *, changes_state: bool = True) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            response = await handler(request, _sandbox(request))
        except ApiError as error:
            return render_error(error)
        except FixtureError as error:
            return render_error(ApiError(400, "VALIDATION_ERROR", str(error)))
        if changes_state and request.method != "GET":
            _sandbox(request).mark_dirty()
        return response

    return endpoint


def _portal(sandbox: Sandbox, request: Request) -> Portal:
    hub_id = int(request.path_params["hubId"])
    portal = sandbox.world.portals.get(hub_id)
    if portal is None:
        raise ApiError(404, "OBJECT_NOT_FOUND", f"no portal {hub_id}")
    return portal


def _user_source(portal: Portal, body: dict[str, Any]) -> Source:
    user_id = int(body.get("userId") or portal.users[0]["id"])
    return Source("CRM_UI", f"userId:{user_id}", user_id)


async def get_state(request: Request, sandbox: Sandbox) -> Response:
    return JSONResponse(dump_world(sandbox.world))


async def load_fixture(request: Request, sandbox: Sandbox) -> Response:
    sandbox.replace_world(build_world(await read_json(request)))
    return JSONResponse({"portals": sorted(sandbox.world.portals)})


async def add_portal(request: Request, sandbox: Sandbox) -> Response:
    body = await read_json(request)
    if int(body.get("hubId", 0)) in sandbox.world.portals:
        raise ApiError(409, "CONFLICT", f"portal {body['hubId']} exists already")
    portal = load_portal(sandbox.world, body, "portal")
    sandbox.adopt_portal(portal)
    return JSONResponse({"hubId": portal.hub_id, "name": portal.name}, 201)


async def get_faults(request: Request, sandbox: Sandbox) -> Response:
    return JSONResponse(sandbox.faults.as_dict())


async def put_faults(request: Request, sandbox: Sandbox) -> Response:
    # Plain floats here: fault values are delays and rates, not money.
    sandbox.faults.update(json.loads(await request.body() or b"{}"))
    sandbox.apply_faults()
    return JSONResponse(sandbox.faults.as_dict())


async def reset_faults(request: Request, sandbox: Sandbox) -> Response:
    sandbox.reset_faults()
    return JSONResponse(sandbox.faults.as_dict())


async def expire_tokens(request: Request, sandbox: Sandbox) -> Response:
    portal = _portal(sandbox, request)
    expired = 0
    for grant in sandbox.world.access_tokens.values():
        if grant.hub_id == portal.hub_id:
            grant.expires_ms = now_ms() - 1
            expired += 1
    return JSONResponse({"expired": expired})


async def uninstall(request: Request, sandbox: Sandbox) -> Response:
    portal = _portal(sandbox, request)
    app_id = int(request.query_params.get("appId", 0)) or next(iter(sandbox.world.apps))
    app = sandbox.world.apps[app_id]
    forget_install(sandbox.world, app_id, portal.hub_id)
    sandbox.webhooks.app_event(app, portal.hub_id, "APP_UNINSTALL")
    return Response(status_code=204)


def _kind(request: Request) -> catalog.ObjectType:
    kind = catalog.resolve_type(request.path_params["objectType"])
    if kind is None:
        raise ApiError(400, "VALIDATION_ERROR", "unknown object type")
    return kind


async def create_as_user(request: Request, sandbox: Sandbox) -> Response:
    portal, kind = _portal(sandbox, request), _kind(request)
    body = await read_json(request)
    try:
        values = check_properties(portal, kind.name, body.get("properties") or {})
    except WriteRejected as rejected:
        raise rejected.error from None
    record = portal.create(kind.name, values, _user_source(portal, body))
    return JSONResponse(shapes.record_body(portal, record, list(values)), 201)


async def edit_as_user(request: Request, sandbox: Sandbox) -> Response:
    portal, kind = _portal(sandbox, request), _kind(request)
    record = portal.get(kind.name, request.path_params["objectId"])
    if record is None:
        raise ApiError(404, "OBJECT_NOT_FOUND", "no such record")
    body = await read_json(request)
    try:
        values = check_properties(
            portal, kind.name, body.get("properties") or {}, record=record
        )
    except WriteRejected as rejected:
        raise rejected.error from None
    portal.update(record, values, _user_source(portal, body))
    return JSONResponse(shapes.record_body(portal, record, list(values)))


async def archive_as_user(request: Request, sandbox: Sandbox) -> Response:
    portal, kind = _portal(sandbox, request), _kind(request)
    record = portal.get(kind.name, request.path_params["objectId"])
    if record is not None and not record.archived:
        portal.archive(record, _user_source(portal, {}))
    return Response(status_code=204)


async def restore_as_user(request: Request, sandbox: Sandbox) -> Response:
    portal, kind = _portal(sandbox, request), _kind(request)
    record = portal.get(kind.name, request.path_params["objectId"])
    if record is None:
        raise ApiError(404, "OBJECT_NOT_FOUND", "no such record")
    portal.restore(record, _user_source(portal, {}))
    return JSONResponse(shapes.record_body(portal, record, None))


async def update_app(request: Request, sandbox: Sandbox) -> Response:
    app = sandbox.world.apps.get(int(request.path_params["appId"]))
    if app is None:
        raise ApiError(404, "OBJECT_NOT_FOUND", "no such app")
    body = await read_json(request)
    app.webhook_url = str(body.get("webhookUrl", app.webhook_url))
    app.redirect_uris = list(body.get("redirectUris", app.redirect_uris))
    app.max_concurrent = int(body.get("maxConcurrentRequests", app.max_concurrent))
    if "subscriptions" in body:
        app.subscriptions = list(body["subscriptions"])
    return JSONResponse({"appId": app.app_id, "webhookUrl": app.webhook_url})


async def list_deliveries(request: Request, sandbox: Sandbox) -> Response:
    queued = sum(len(events) for events in sandbox.webhooks.queues.values())
    return JSONResponse({"queued": queued, "deliveries": sandbox.webhooks.deliveries})


async def flush_webhooks(request: Request, sandbox: Sandbox) -> Response:
    await sandbox.webhooks.flush()
    return JSONResponse({"deliveries": len(sandbox.webhooks.deliveries)})


async def clear_deliveries(request: Request, sandbox: Sandbox) -> Response:
    sandbox.webhooks.deliveries.clear()
    return Response(status_code=204)


async def save_now(request: Request, sandbox: Sandbox) -> Response:
    sandbox.save()
    return Response(status_code=204)


def admin_routes() -> list[Route]:
    objects = "/_sandbox/portals/{hubId:int}/objects/{objectType}"
    table = [
        ("/_sandbox/state", get_state, ["GET"]),
        ("/_sandbox/fixture", load_fixture, ["POST"]),
        ("/_sandbox/portals", add_portal, ["POST"]),
        ("/_sandbox/faults", get_faults, ["GET"]),
        ("/_sandbox/faults", put_faults, ["PUT", "PATCH"]),
        ("/_sandbox/faults/reset", reset_faults, ["POST"]),
        ("/_sandbox/portals/{hubId:int}/expire-tokens", expire_tokens, ["POST"]),
        ("/_sandbox/portals/{hubId:int}/uninstall", uninstall, ["POST"]),
        (objects, create_as_user, ["POST"]),
        (objects + "/{objectId}", edit_as_user, ["PATCH"]),
        (objects + "/{objectId}", archive_as_user, ["DELETE"]),
        (objects + "/{objectId}/restore", restore_as_user, ["POST"]),
        ("/_sandbox/apps/{appId:int}", update_app, ["PUT", "PATCH"]),
        ("/_sandbox/webhooks", list_deliveries, ["GET"]),
        ("/_sandbox/webhooks", clear_deliveries, ["DELETE"]),
        ("/_sandbox/webhooks/flush", flush_webhooks, ["POST"]),
        ("/_sandbox/save", save_now, ["POST"]),
        ("/_sandbox/fetch", proxy_fetch, ["POST"]),
    ]
    return [
        Route(path, admin(handler), methods=methods) for path, handler, methods in table
    ]
