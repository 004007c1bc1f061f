"""The HubSpot CRM client the sync engine uses: records, batches, search,
associations, properties and pipelines of one portal.

Ids stay strings everywhere, including where HubSpot answers numbers
(association targets). Property and pipeline definitions are cached per
tenant in Redis for `CACHE_TTL_S`, so workers share them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from sync.errors import RecordRejected
from sync.hubspot import paging
from sync.hubspot.app_properties import APP_PROPERTIES, GROUP
from sync.hubspot.batches import BatchResult, chunks, read_batch_answer
from sync.hubspot.transport import HubSpotTransport

CACHE_TTL_S = 300
CONCURRENT_CHUNKS = 4
# HubSpot-defined default (unlabeled) association type ids, by direction.
DEFAULT_ASSOCIATION_TYPES = {
    ("deals", "companies"): 341,
    ("companies", "deals"): 342,
    ("deals", "line_items"): 19,
    ("line_items", "deals"): 20,
    ("deals", "contacts"): 3,
    ("contacts", "deals"): 4,
}


def objects_path(object_type: str, *rest: str) -> str:
    return "/".join(["/crm/v3/objects", object_type, *rest])


class HubSpotClient:
    def __init__(
        self, transport: HubSpotTransport, redis: Redis, tenant_id: int
    ) -> None:
        self.transport = transport
        self.redis = redis
        self.tenant_id = tenant_id

    @property
    def calls(self) -> int:
        return self.transport.calls

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.transport.request(method, path, **kwargs)
        return response.json() if response.content else None

    # records -------------------------------------------------------------------

    async def get_object(
        self,
        object_type: str,
        object_id: str,
        *,
        properties: Sequence[str],
        associations: Sequence[str] = (),
    ) -> dict[str, Any]:
        params = {"properties": ",".join(properties)}
        if associations:
            params["associations"] = ",".join(associations)
        return await self._json(
            "GET",
            objects_path(object_type, str(object_id)),
            params=params,
            object_kind=object_type,
        )

    async def create_object(
        self,
        object_type: str,
        properties: dict[str, Any],
        associations: Iterable[Any] = (),
    ) -> dict[str, Any]:
        body = {
            "properties": properties,
            "associations": [association_spec(object_type, a) for a in associations],
        }
        return await self._json(
            "POST", objects_path(object_type), json=body, object_kind=object_type
        )

    async def update_object(
        self, object_type: str, object_id: str, properties: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._json(
            "PATCH",
            objects_path(object_type, str(object_id)),
            json={"properties": properties},
            object_kind=object_type,
        )

    # batches -------------------------------------------------------------------

    async def _batch(
        self, object_type: str, action: str, bodies: list[dict[str, Any]]
    ) -> BatchResult:
        path = objects_path(object_type, "batch", action)
        gate = asyncio.Semaphore(CONCURRENT_CHUNKS)

        async def send(body: dict[str, Any]) -> BatchResult:
            async with gate:
                answer = await self._json(
                    "POST", path, json=body, object_kind=object_type
                )
            return read_batch_answer("POST", path, answer or {})

        combined = BatchResult()
        for part in await asyncio.gather(*(send(body) for body in bodies)):
            combined.extend(part)
        return combined

    async def batch_read(
        self,
        object_type: str,
        ids: Sequence[str],
        *,
        properties: Sequence[str],
        properties_with_history: Sequence[str] = (),
    ) -> BatchResult:
        unique = list(dict.fromkeys(str(i) for i in ids))
        bodies = [
            {
                "inputs": [{"id": i} for i in part],
                "properties": list(properties),
                "propertiesWithHistory": list(properties_with_history),
            }
            for part in chunks(unique)
        ]
        return await self._batch(object_type, "read", bodies)

    async def batch_create(
        self, object_type: str, inputs: Sequence[dict[str, Any]]
    ) -> BatchResult:
        # With a trace id on every input HubSpot reports failures one by one
        # instead of refusing the whole batch.
        traced = [
            {"objectWriteTraceId": f"create-{n}", "associations": [], **item}
            for n, item in enumerate(inputs)
        ]
        bodies = [{"inputs": list(part)} for part in chunks(traced)]
        return await self._batch(object_type, "create", bodies)

    async def batch_update(
        self, object_type: str, inputs: Sequence[dict[str, Any]]
    ) -> BatchResult:
        bodies = [{"inputs": list(part)} for part in chunks(list(inputs))]
        return await self._batch(object_type, "update", bodies)

    async def batch_upsert(
        self, object_type: str, inputs: Sequence[dict[str, Any]], *, id_property: str
    ) -> BatchResult:
        keyed = [{"idProperty": id_property, **item} for item in inputs]
        bodies = [{"inputs": list(part)} for part in chunks(keyed)]
        return await self._batch(object_type, "upsert", bodies)

    # search and listing ----------------------------------------------------------

    async def search(self, object_type: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._json(
            "POST",
            objects_path(object_type, "search"),
            json=body,
            search=True,
            object_kind=object_type,
        )

    def iter_modified(
        self, object_type: str, since: datetime | None, *, properties: Sequence[str]
    ) -> AsyncIterator[dict[str, Any]]:
        async def search(body: dict[str, Any]) -> dict[str, Any]:
            return await self.search(object_type, body)

        return paging.walk_modified(search, since, list(properties))

    def iter_all(
        self,
        object_type: str,
        *,
        properties: Sequence[str],
        associations: Sequence[str] = (),
        archived: bool = False,
    ) -> AsyncIterator[dict[str, Any]]:
        params: dict[str, Any] = {
            "limit": paging.LIST_PAGE,
            "properties": ",".join(properties),
            "archived": "true" if archived else "false",
        }
        if associations:
            params["associations"] = ",".join(associations)

        async def fetch(after: str | None) -> dict[str, Any]:
            query = params if after is None else {**params, "after": after}
            return await self._json("GET", objects_path(object_type), params=query)

        return paging.walk_list(fetch)

    # associations ----------------------------------------------------------------

    async def associated_ids(
        self, from_type: str, ids: Sequence[str], to_type: str
    ) -> dict[str, list[str]]:
        """Ids linked to each of `ids` (v4 batch read); every id gets a list."""
        path = f"/crm/v4/associations/{from_type}/{to_type}/batch/read"
        found: dict[str, list[str]] = {str(i): [] for i in ids}
        pending = [{"id": i} for i in found]
        while pending:
            follow_ups: list[dict[str, Any]] = []
            for part in chunks(pending):
                answer = await self._json("POST", path, json={"inputs": list(part)})
                for result in (answer or {}).get("results") or []:
                    source = str(result["from"]["id"])
                    found.setdefault(source, []).extend(
                        str(target["toObjectId"]) for target in result.get("to") or []
                    )
                    after = paging.next_after(result)
                    if after:
                        follow_ups.append({"id": source, "after": after})
            pending = follow_ups
        return {key: list(dict.fromkeys(value)) for key, value in found.items()}

    async def associate(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> None:
        path = (
            f"/crm/v4/objects/{from_type}/{from_id}/associations/default/"
            f"{to_type}/{to_id}"
        )
        await self._json("PUT", path, object_kind=from_type)

    # definitions -----------------------------------------------------------------

    async def _cached(self, name: str, path: str) -> list[dict[str, Any]]:
        key = f"hubspot:cache:{self.tenant_id}:{name}"
        cached = await self.redis.get(key)
        if cached is not None:
            return json.loads(cached)
        answer = await self._json("GET", path)
        results = list((answer or {}).get("results") or [])
        await self.redis.set(key, json.dumps(results), ex=CACHE_TTL_S)
        return results

    async def forget_definitions(self) -> None:
        keys = [
            key
            async for key in self.redis.scan_iter(f"hubspot:cache:{self.tenant_id}:*")
        ]
        if keys:
            await self.redis.delete(*keys)

    async def properties(self, object_type: str) -> list[dict[str, Any]]:
        return await self._cached(
            f"properties:{object_type}", f"/crm/v3/properties/{object_type}"
        )

    async def pipelines(self, object_type: str = "deals") -> list[dict[str, Any]]:
        return await self._cached(
            f"pipelines:{object_type}", f"/crm/v3/pipelines/{object_type}"
        )

    async def ensure_app_properties(self) -> None:
        """Create the `genius_erp` group and the app's properties where missing."""
        for object_type, wanted in APP_PROPERTIES.items():
            base = f"/crm/v3/properties/{object_type}"
            groups = await self._json("GET", base + "/groups")
            if GROUP["name"] not in {g["name"] for g in groups.get("results", [])}:
                await self._create_once("POST", base + "/groups", GROUP)
            existing = await self._json("GET", base)
            names = {p["name"] for p in existing.get("results", [])}
            for definition in wanted:
                if definition["name"] not in names:
                    await self._create_once("POST", base, definition)
        await self.forget_definitions()

    async def _create_once(self, method: str, path: str, body: dict[str, Any]) -> None:
        try:
            await self._json(method, path, json=body)
        except RecordRejected as error:
            # Another install running at the same moment created it first.
            if error.failure is None or error.failure.status != 409:
                raise


def association_spec(from_type: str, target: Any) -> dict[str, Any]:
    """A create-time association: HubSpot's own shape, or (to_type, to_id)."""
    if isinstance(target, dict):
        return target
    to_type, to_id = target
    type_id = DEFAULT_ASSOCIATION_TYPES.get((from_type, to_type))
    if type_id is None:
        raise ValueError(f"no default association type from {from_type} to {to_type}")
    return {
        "to": {"id": str(to_id)},
        "types": [
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}
        ],
    }
