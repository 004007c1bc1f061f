"""The sandbox as a Starlette app: the routes HubSpot serves, plus `/_sandbox/`.

CRM paths are served twice, under the numbered versions (`/crm/v3/...`,
`/crm/v4/...`) and under the dated ones (`/crm/objects/2026-03/...`),
which HubSpot documents as schema-identical.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route

from sandbox.hubspot import associations_api as assoc
from sandbox.hubspot import batch_api, oauth_server, objects_api, schema_api, search
from sandbox.hubspot.admin import admin_routes
from sandbox.hubspot.faults import Faults
from sandbox.hubspot.fixture import dump_world, save_world, write_document
from sandbox.hubspot.gate import Limits, api, object_scopes, schema_scopes
from sandbox.hubspot.registry import World
from sandbox.hubspot.webhooks import WebhookSender
from sandbox.hubspot.world import Portal

DATED = ("2026-03", "2026-09")
SAVE_INTERVAL_S = 1.0


class Sandbox:
    """The running sandbox: its world, faults, limits and webhook sender."""

    def __init__(self, world: World, *, state_path: Path | None = None) -> None:
        self.faults = Faults(token_ttl_s=world.token_ttl_s)
        self.limits = Limits(self.faults)
        self.webhooks = WebhookSender(self)
        self.state_path = state_path
        self.dirty = False
        self._order: dict[tuple[int, str], tuple[tuple[int, int], list[int]]] = {}
        self.search_cache: dict[str, tuple[int, list[Any]]] = {}
        self.world = world
        self.replace_world(world)

    def replace_world(self, world: World) -> None:
        world.listeners = [self.webhooks.on_change, self._note_change]
        self.world = world
        self._order.clear()
        self.search_cache.clear()
        self.apply_faults()
        self.mark_dirty()

    def adopt_portal(self, portal: Portal) -> None:
        portal.index_delay_ms = self.faults.index_delay_ms

    def apply_faults(self) -> None:
        # New faults start with empty rate-limit windows.
        self.limits.faults = self.faults
        self.limits.general.clear()
        self.limits.search.clear()
        for portal in self.world.portals.values():
            self.adopt_portal(portal)

    def reset_faults(self) -> None:
        self.faults.__init__()
        self.apply_faults()

    def mark_dirty(self) -> None:
        self.dirty = True

    def _note_change(self, _hub_id: int, _change: object) -> None:
        # Only changes are saved: reads and searches leave the state file alone.
        self.dirty = True

    def ordered_ids(self, portal: Portal, object_type: str) -> list[int]:
        """Record ids in ascending order, for list paging (cached)."""
        records = portal.records[object_type]
        signature = (len(records), portal.next_id)
        cached = self._order.get((portal.hub_id, object_type))
        if cached is None or cached[0] != signature:
            cached = (signature, sorted(int(i) for i in records))
            self._order[(portal.hub_id, object_type)] = cached
        return cached[1]

    def save(self) -> None:
        if self.state_path is not None and self.dirty:
            self.dirty = False
            save_world(self.world, self.state_path)

    async def keep_saved(self) -> None:
        """Save changes every second; the snapshot is taken here, written aside."""
        while True:
            await asyncio.sleep(SAVE_INTERVAL_S)
            if self.state_path is not None and self.dirty:
                self.dirty = False
                document = dump_world(self.world)
                await asyncio.to_thread(write_document, document, self.state_path)


Row = tuple[str, str, Any, Any]  # method, path, handler, scope rule


def _api_routes(rows: list[Row]) -> list[Route]:
    reads = ("/search", "/batch/read")
    return [
        Route(
            path,
            api(
                handler,
                scopes=rule,
                search=path.endswith("/search"),
                writes=method != "GET" and not path.endswith(reads),
            ),
            methods=[method],
        )
        for method, path, handler, rule in rows
    ]


def _crm_routes() -> list[Route]:
    read, write = object_scopes("read"), object_scopes("write")
    rows: list[Row] = []
    for base in ["/crm/v3/objects", *(f"/crm/objects/{v}" for v in DATED)]:
        many = base + "/{objectType}"
        one = many + "/{objectId}"
        rows += [
            ("POST", many + "/batch/read", batch_api.batch_read, read),
            ("POST", many + "/batch/create", batch_api.batch_create, write),
            ("POST", many + "/batch/update", batch_api.batch_update, write),
            ("POST", many + "/batch/upsert", batch_api.batch_upsert, write),
            ("POST", many + "/batch/archive", batch_api.batch_archive, write),
            ("POST", many + "/search", search.search_objects, read),
            ("POST", many + "/merge", objects_api.merge_objects, write),
            ("GET", many, objects_api.list_objects, read),
            ("POST", many, objects_api.create_object, write),
            ("GET", one, objects_api.get_object, read),
            ("PATCH", one, objects_api.update_object, write),
            ("DELETE", one, objects_api.archive_object, write),
        ]
    return _api_routes(rows)


def _schema_routes() -> list[Route]:
    read, write = schema_scopes("read"), schema_scopes("write")
    deals = object_scopes("read")
    rows: list[Row] = []
    for base in ["/crm/v3/properties", *(f"/crm/properties/{v}" for v in DATED)]:
        many = base + "/{objectType}"
        one = many + "/{propertyName}"
        groups = many + "/groups"
        rows += [
            ("POST", many + "/batch/create", schema_api.batch_create_properties, write),
            ("GET", groups, schema_api.list_groups, read),
            ("POST", groups, schema_api.create_group, write),
            ("GET", groups + "/{groupName}", schema_api.get_group, read),
            ("GET", many, schema_api.list_properties, read),
            ("POST", many, schema_api.create_property, write),
            ("GET", one, schema_api.get_property, read),
            ("PATCH", one, schema_api.update_property, write),
            ("DELETE", one, schema_api.archive_property, write),
        ]
    for base in ["/crm/v3/pipelines", *(f"/crm/pipelines/{v}" for v in DATED)]:
        pipeline = base + "/{objectType}/{pipelineId}"
        rows += [
            ("GET", base + "/{objectType}", schema_api.list_pipelines, deals),
            ("GET", pipeline, schema_api.get_pipeline, deals),
            ("GET", pipeline + "/stages", schema_api.list_stages, deals),
            ("GET", pipeline + "/stages/{stageId}", schema_api.get_stage, deals),
        ]
    return _api_routes(rows)


def _association_routes() -> list[Route]:
    read, write = object_scopes("read"), object_scopes("write")
    pair_read = object_scopes("read", "fromObjectType")
    pair_write = object_scopes("write", "fromObjectType")
    rows: list[Row] = []
    for objects, pairs in [
        ("/crm/v4/objects", "/crm/v4/associations"),
        *((f"/crm/objects/{v}", f"/crm/associations/{v}") for v in DATED),
    ]:
        pair = pairs + "/{fromObjectType}/{toObjectType}"
        one = objects + "/{objectType}/{objectId}/associations/{toObjectType}"
        default = (
            objects + "/{fromObjectType}/{fromObjectId}/associations/default"
            "/{toObjectType}/{toObjectId}"
        )
        rows += [
            ("POST", pair + "/batch/read", assoc.batch_read, pair_read),
            ("POST", pair + "/batch/create", assoc.batch_create, pair_write),
            (
                "POST",
                pair + "/batch/associate/default",
                assoc.batch_associate_default,
                pair_write,
            ),
            ("POST", pair + "/batch/archive", assoc.batch_archive, pair_write),
            ("GET", pair + "/labels", assoc.list_labels, pair_read),
            ("PUT", default, assoc.associate_default, pair_write),
            ("GET", one, assoc.list_associations, read),
            ("PUT", one + "/{toObjectId}", assoc.associate_labels, write),
            ("DELETE", one + "/{toObjectId}", assoc.remove_association, write),
        ]
    return _api_routes(rows)


def _oauth_routes() -> list[Route]:
    uninstall = api(
        oauth_server.external_uninstall, scopes=lambda _r: ["oauth"], writes=True
    )
    routes = [
        Route("/oauth/authorize", oauth_server.authorize, methods=["GET"]),
        Route(
            "/oauth/{portalId:int}/authorize", oauth_server.authorize, methods=["GET"]
        ),
        Route(
            "/oauth/v1/access-tokens/{token}",
            oauth_server.access_token_info,
            methods=["GET"],
        ),
        Route(
            "/oauth/v1/refresh-tokens/{token}",
            oauth_server.refresh_token_info,
            methods=["GET", "DELETE"],
        ),
    ]
    for version in ("v1", "v3", *DATED):
        routes.append(
            Route(f"/oauth/{version}/token", oauth_server.token, methods=["POST"])
        )
    for version in ("v3", *DATED):
        routes += [
            Route(
                f"/oauth/{version}/token/introspect",
                oauth_server.introspect,
                methods=["POST"],
            ),
            Route(
                f"/oauth/{version}/token/revoke", oauth_server.revoke, methods=["POST"]
            ),
            Route(
                f"/appinstalls/{version}/external-install",
                uninstall,
                methods=["DELETE"],
            ),
        ]
    return routes


# TODO: the webhooks management API (/webhooks/v3/{appId}/settings and
# /subscriptions) and the Webhooks Journal are not served: the connector
# calls neither; subscriptions come from the fixture or PUT /_sandbox/apps.
def build_app(sandbox: Sandbox) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[dict[str, Any]]:
        await sandbox.webhooks.start()
        saver = asyncio.create_task(sandbox.keep_saved())
        try:
            yield {}
        finally:
            saver.cancel()
            await sandbox.webhooks.stop()
            sandbox.save()

    routes = [
        *_oauth_routes(),
        *_crm_routes(),
        *_schema_routes(),
        *_association_routes(),
        *admin_routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sandbox = sandbox
    return app
