"""The fixture format: seeding a sandbox, and saving and restoring its state.

One JSON document describes apps and portals with their pipelines, custom
properties, records and associations (README.md spells it out). The state
file written by `dump_world` is the same format with a few more keys (OAuth
grants, record history, archived records, id counters), so one loader reads
both.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandbox.hubspot import catalog
from sandbox.hubspot.registry import App, Grant, World, default_app
from sandbox.hubspot.values import (
    ValueProblem,
    iso_from_ms,
    ms_from_text,
    normalize_value,
    now_ms,
)
from sandbox.hubspot.world import Portal, Source

FORMAT = "hubspot-sandbox/1"
SEED_SOURCE = Source("IMPORT", "sandbox-fixture")
RECORD_KEYS = ("companies", "products", "deals", "line_items")


class FixtureError(ValueError):
    """The document cannot be loaded; the message names the offending place."""


def read_document(path: Path) -> dict[str, Any]:
    # Decimal keeps amounts such as 1234.50 exactly as written.
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle, parse_float=Decimal)
    if not isinstance(document, dict):
        raise FixtureError(f"{path}: the top level must be an object")
    return document


def build_world(document: dict[str, Any]) -> World:
    """A world from a fixture or a saved state."""
    fmt = document.get("format", FORMAT)
    if fmt != FORMAT:
        raise FixtureError(f"format {fmt!r} is not {FORMAT!r}")
    world = World(token_ttl_s=int(document.get("tokenTtlSeconds", 1800)))
    for index, raw in enumerate(document.get("apps") or []):
        app = _read_app(raw, f"apps[{index}]")
        world.apps[app.app_id] = app
    if not world.apps:
        app = default_app()
        world.apps[app.app_id] = app
    for index, raw in enumerate(document.get("portals") or []):
        load_portal(world, raw, f"portals[{index}]")
    _read_oauth(world, document.get("oauth") or {})
    return world


def load_portal(world: World, raw: Any, where: str) -> Portal:
    """Add one portal of the fixture format, with its records, to `world`."""
    if not isinstance(raw, dict):
        raise FixtureError(f"{where}: must be an object")
    portal = _read_portal(raw, where)
    if portal.hub_id in world.portals:
        raise FixtureError(f"{where}: hub id {portal.hub_id} is used twice")
    world.add_portal(portal)
    _read_records(portal, raw, where)
    return portal


def _need(raw: dict[str, Any], key: str, where: str) -> Any:
    if key not in raw:
        raise FixtureError(f"{where}: {key!r} is missing")
    return raw[key]


def _read_app(raw: dict[str, Any], where: str) -> App:
    return App(
        app_id=int(_need(raw, "appId", where)),
        client_id=str(_need(raw, "clientId", where)),
        client_secret=str(_need(raw, "clientSecret", where)),
        name=str(raw.get("name", "Genius ERP Connector")),
        redirect_uris=[str(uri) for uri in raw.get("redirectUris", [])],
        webhook_url=str(raw.get("webhookUrl", "")),
        max_concurrent=int(raw.get("maxConcurrentRequests", 10)),
        subscriptions=list(raw.get("subscriptions") or default_app().subscriptions),
    )


def _read_portal(raw: dict[str, Any], where: str) -> Portal:
    hub_id = int(_need(raw, "hubId", where))
    portal = Portal(
        hub_id=hub_id,
        name=str(_need(raw, "name", where)),
        domain=str(raw.get("domain", f"portal-{hub_id}.example.com")),
        time_zone=str(raw.get("timeZone", "America/Toronto")),
        currencies=[str(code) for code in raw.get("currencies", ["CAD"])],
        users=[dict(user) for user in raw.get("users", [])],
    )
    for object_type, groups in (raw.get("propertyGroups") or {}).items():
        _known_type(object_type, f"{where}.propertyGroups")
        for group in groups:
            portal.groups[object_type][group["name"]] = {
                "name": group["name"],
                "label": group.get("label", group["name"]),
                "displayOrder": int(group.get("displayOrder", -1)),
                "archived": False,
            }
    for object_type, props in (raw.get("properties") or {}).items():
        _known_type(object_type, f"{where}.properties")
        for n, prop in enumerate(props):
            definition = custom_property(prop, f"{where}.properties.{object_type}[{n}]")
            portal.properties[object_type][definition["name"]] = definition
    for n, pipeline in enumerate((raw.get("pipelines") or {}).get("deals", [])):
        _add_pipeline(portal, pipeline, f"{where}.pipelines.deals[{n}]")
    portal.refresh_currency_options()
    portal.next_id = max(portal.next_id, int(raw.get("nextId", 0)))
    for object_type, old_id, new_id in raw.get("merged", []):
        portal.merged_into[(object_type, str(old_id))] = str(new_id)
    return portal


def _known_type(name: str, where: str) -> str:
    kind = catalog.resolve_type(name)
    if kind is None:
        raise FixtureError(f"{where}: unknown object type {name!r}")
    return kind.name


def custom_property(raw: dict[str, Any], where: str) -> dict[str, Any]:
    """A full property definition from the few fields a fixture gives."""
    stamp = iso_from_ms(now_ms())
    options = [
        {
            "label": str(opt.get("label", opt["value"])),
            "value": str(opt["value"]),
            "displayOrder": int(opt.get("displayOrder", n)),
            "hidden": bool(opt.get("hidden", False)),
        }
        for n, opt in enumerate(raw.get("options", []))
    ]
    return {
        "name": str(_need(raw, "name", where)),
        "label": str(raw.get("label", raw["name"])),
        "type": str(raw.get("type", "string")),
        "fieldType": str(raw.get("fieldType", "text")),
        "groupName": str(raw.get("groupName", "")),
        "description": str(raw.get("description", "")),
        "options": options,
        "displayOrder": int(raw.get("displayOrder", -1)),
        "hidden": bool(raw.get("hidden", False)),
        "formField": bool(raw.get("formField", False)),
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": bool(raw.get("hasUniqueValue", False)),
        "hubspotDefined": False,
        "archived": False,
        "createdAt": raw.get("createdAt", stamp),
        "updatedAt": raw.get("updatedAt", stamp),
        "modificationMetadata": {
            "archivable": True,
            "readOnlyDefinition": False,
            "readOnlyValue": bool(raw.get("readOnlyValue", False)),
        },
    }


def _add_pipeline(portal: Portal, raw: dict[str, Any], where: str) -> None:
    stamp = iso_from_ms(now_ms())
    stages = []
    for n, stage in enumerate(_need(raw, "stages", where)):
        metadata = {key: str(value) for key, value in stage.get("metadata", {}).items()}
        metadata.setdefault("isClosed", "false")
        metadata.setdefault("probability", "0.1")
        stages.append(
            {
                "id": str(_need(stage, "id", f"{where}.stages[{n}]")),
                "label": str(stage.get("label", stage["id"])),
                "displayOrder": int(stage.get("displayOrder", n)),
                "metadata": metadata,
                "createdAt": stage.get("createdAt", stamp),
                "updatedAt": stage.get("updatedAt", stamp),
                "archived": False,
                "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
            }
        )
    pipeline = {
        "id": str(_need(raw, "id", where)),
        "label": str(raw.get("label", raw["id"])),
        "displayOrder": int(raw.get("displayOrder", len(portal.pipelines["deals"]))),
        "stages": stages,
        "createdAt": raw.get("createdAt", stamp),
        "updatedAt": raw.get("updatedAt", stamp),
        "archived": False,
    }
    pipelines = portal.pipelines["deals"]
    for n, existing in enumerate(pipelines):
        if existing["id"] == pipeline["id"]:
            pipelines[n] = pipeline
            return
    pipelines.append(pipeline)


def _read_records(portal: Portal, raw: dict[str, Any], where: str) -> None:
    pending_links: list[tuple[str, str, str, Any, str]] = []
    for key in RECORD_KEYS:
        for n, item in enumerate(raw.get(key) or []):
            spot = f"{where}.{key}[{n}]"
            record = _read_record(portal, key, item, spot)
            for to_key, targets in (item.get("associations") or {}).items():
                to_type = _known_type(to_key, f"{spot}.associations")
                for target in targets:
                    pending_links.append((key, record.id, to_type, target, spot))
    for from_type, from_id, to_type, target, spot in pending_links:
        _read_link(portal, from_type, from_id, to_type, target, spot)


def _read_record(
    portal: Portal, object_type: str, item: dict[str, Any], where: str
) -> Any:
    values = {}
    for name, raw_value in (item.get("properties") or {}).items():
        definition = portal.properties[object_type].get(name)
        if definition is None:
            raise FixtureError(f"{where}: property {name!r} does not exist")
        if raw_value is None:
            continue
        try:
            values[name] = normalize_value(definition, raw_value)
        except ValueProblem as problem:
            raise FixtureError(f"{where}: {problem.message}") from None
    record_id = str(item["id"]) if "id" in item else None
    if record_id is not None and not record_id.isdigit():
        raise FixtureError(f"{where}: id {record_id!r} is not a numeric string")
    if record_id is not None and portal.get(object_type, record_id) is not None:
        raise FixtureError(f"{where}: id {record_id!r} is used twice")
    stamp = item.get("createdAt") or item.get("updatedAt")
    created_ms = ms_from_text(str(stamp)) if stamp else None
    record = portal.create(
        object_type, values, SEED_SOURCE, record_id=record_id, at_ms=created_ms
    )
    if "updatedAt" in item:
        updated_ms = ms_from_text(str(item["updatedAt"]))
        record.updated_ms = updated_ms
        record.values["hs_lastmodifieddate"] = iso_from_ms(updated_ms)
    if item.get("history"):
        record.history = {k: list(v) for k, v in item["history"].items()}
    if item.get("archivedAt"):
        record.archived_ms = ms_from_text(str(item["archivedAt"]))
    return record


def _read_link(
    portal: Portal, from_type: str, from_id: str, to_type: str, target: Any, where: str
) -> None:
    if isinstance(target, dict):
        to_id = str(target["id"])
        type_ids = [int(t) for t in target.get("types", [])]
    else:
        to_id, type_ids = str(target), []
    if portal.get(to_type, to_id) is None:
        raise FixtureError(f"{where}: associated {to_type} {to_id!r} does not exist")
    default = catalog.default_association(from_type, to_type)
    if default is None:
        raise FixtureError(f"{where}: {from_type} cannot be associated with {to_type}")
    for type_id in type_ids or [default.type_id]:
        kind = catalog.ASSOCIATION_TYPES.get(type_id)
        if kind is None or (kind.from_type, kind.to_type) != (from_type, to_type):
            raise FixtureError(f"{where}: association type {type_id} does not fit")
        portal.link(from_type, from_id, to_type, to_id, type_id, SEED_SOURCE)


def _read_oauth(world: World, raw: dict[str, Any]) -> None:
    for token, grant in (raw.get("accessTokens") or {}).items():
        world.access_tokens[token] = Grant(**grant)
    for token, grant in (raw.get("refreshTokens") or {}).items():
        world.refresh_tokens[token] = Grant(**grant)
    world.installs = {(int(a), int(h)) for a, h in raw.get("installs", [])}


def dump_world(world: World) -> dict[str, Any]:
    """The whole state as a document `build_world` reads back."""
    return {
        "format": FORMAT,
        "tokenTtlSeconds": world.token_ttl_s,
        "apps": [_dump_app(app) for app in world.apps.values()],
        "portals": [_dump_portal(portal) for portal in world.portals.values()],
        "oauth": {
            "accessTokens": {t: vars(g) for t, g in world.access_tokens.items()},
            "refreshTokens": {t: vars(g) for t, g in world.refresh_tokens.items()},
            "installs": sorted(world.installs),
        },
    }


def _dump_app(app: App) -> dict[str, Any]:
    return {
        "appId": app.app_id,
        "clientId": app.client_id,
        "clientSecret": app.client_secret,
        "name": app.name,
        "redirectUris": app.redirect_uris,
        "webhookUrl": app.webhook_url,
        "maxConcurrentRequests": app.max_concurrent,
        "subscriptions": app.subscriptions,
    }


def _dump_portal(portal: Portal) -> dict[str, Any]:
    custom = {
        object_type: [p for p in props.values() if not p["hubspotDefined"]]
        for object_type, props in portal.properties.items()
    }
    document: dict[str, Any] = {
        "hubId": portal.hub_id,
        "name": portal.name,
        "domain": portal.domain,
        "timeZone": portal.time_zone,
        "currencies": portal.currencies,
        "users": portal.users,
        "nextId": portal.next_id,
        "propertyGroups": {t: list(g.values()) for t, g in portal.groups.items()},
        "properties": custom,
        "pipelines": {"deals": portal.pipelines["deals"]},
        "merged": [[t, old, new] for (t, old), new in portal.merged_into.items()],
    }
    for key in RECORD_KEYS:
        document[key] = [_dump_record(portal, r) for r in portal.records[key].values()]
    return document


def _dump_record(portal: Portal, record: Any) -> dict[str, Any]:
    associations: dict[str, list[dict[str, Any]]] = {}
    for to_type, targets in portal.links.get(
        (record.object_type, record.id), {}
    ).items():
        # Each link is written once, from the side listed first in RECORD_KEYS.
        if RECORD_KEYS.index(to_type) < RECORD_KEYS.index(record.object_type):
            continue
        associations[to_type] = [
            {"id": to_id, "types": sorted(types)} for to_id, types in targets.items()
        ]
    item = {
        "id": record.id,
        "properties": dict(record.values),
        "createdAt": iso_from_ms(record.created_ms),
        "updatedAt": iso_from_ms(record.updated_ms),
        # Copied: the state is written out in another thread.
        "history": {name: list(entries) for name, entries in record.history.items()},
        "associations": associations,
    }
    if record.archived_ms is not None:
        item["archivedAt"] = iso_from_ms(record.archived_ms)
    return item


def save_world(world: World, path: Path) -> None:
    write_document(dump_world(world), path)


def write_document(document: dict[str, Any], path: Path) -> None:
    """Write a state atomically, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(document, default=str), encoding="utf-8")
    os.replace(temporary, path)
