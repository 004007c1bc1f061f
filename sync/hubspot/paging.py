"""Walking a whole object type: list paging, and search past the 10,000 cap.

Search pages by offset and refuses to go past 10,000 results, and it honours
a single sort. `walk_modified` therefore reads in windows sorted by
`hs_lastmodifieddate`: when a window hits the cap, the records sharing the
last timestamp are read again sorted by `hs_object_id` (a cursor that ties
cannot break), and the next window starts strictly after that timestamp.
Offsets shift when a record changes during the walk, and pages are asked
for ahead, so a record changed during the walk may be skipped; callers read
again from their cursor with an overlap.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

SEARCH_PAGE = 200
SEARCH_CAP = 10_000
LIST_PAGE = 100
PAGES_AHEAD = 4
MODIFIED = "hs_lastmodifieddate"
OBJECT_ID = "hs_object_id"

Search = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
ListPage = Callable[[str | None], Awaitable[dict[str, Any]]]


def to_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: pass an aware UTC datetime")
    return int(moment.timestamp() * 1000)


def modified_ms(record: dict[str, Any]) -> int:
    text = (record.get("properties") or {}).get(MODIFIED) or record.get("updatedAt")
    return to_ms(datetime.fromisoformat(str(text).replace("Z", "+00:00")))


def next_after(page: dict[str, Any]) -> str | None:
    return ((page.get("paging") or {}).get("next") or {}).get("after")


async def walk_list(fetch_page: ListPage) -> AsyncIterator[dict[str, Any]]:
    after: str | None = None
    seen_cursors: set[str] = set()
    while True:
        page = await fetch_page(after)
        for record in page.get("results") or []:
            yield record
        after = next_after(page)
        # A cursor HubSpot repeats would loop for ever; stop instead.
        if after is None or after in seen_cursors:
            return
        seen_cursors.add(after)


async def walk_search(
    search: Search, body: dict[str, Any], *, ahead: int = PAGES_AHEAD
) -> AsyncIterator[tuple[dict[str, Any], bool]]:
    """Records of one query, and finally whether the 10,000 cap cut it short.

    Search pages by offset, so once the first page gives the total, the next
    pages are asked for `ahead` at a time (the search budget still spaces
    them) and handed out in order.
    """
    first = await search({**body, "limit": SEARCH_PAGE, "after": "0"})
    for record in first.get("results") or []:
        yield record, False
    after = next_after(first)
    if after is None:
        return
    total = int(first.get("total") or SEARCH_CAP + 1)
    offsets = iter(range(int(after), min(total, SEARCH_CAP), SEARCH_PAGE))
    pending: deque[asyncio.Task[dict[str, Any]]] = deque()

    def ask_next() -> None:
        offset = next(offsets, None)
        if offset is not None:
            page = {**body, "limit": SEARCH_PAGE, "after": str(offset)}
            pending.append(asyncio.ensure_future(search(page)))

    try:
        for _ in range(ahead):
            ask_next()
        while pending:
            page = await pending.popleft()
            ask_next()
            for record in page.get("results") or []:
                yield record, False
    finally:
        for task in pending:
            task.cancel()
    if total > SEARCH_CAP:
        yield {}, True


def _body(filters: list[dict[str, Any]], sort: str, properties: list[str]) -> dict:
    return {
        "filterGroups": [{"filters": filters}] if filters else [],
        "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
        "properties": properties,
    }


async def walk_modified(
    search: Search, since: datetime | None, properties: list[str]
) -> AsyncIterator[dict[str, Any]]:
    """Records modified at or after `since` (all when None), oldest first."""
    wanted = list(dict.fromkeys([*properties, MODIFIED, OBJECT_ID]))
    filters = [] if since is None else [_filter(MODIFIED, "GTE", to_ms(since))]
    while True:
        edge_ms, edge_ids, capped = None, set(), False
        async for record, cut in walk_search(search, _body(filters, MODIFIED, wanted)):
            if cut:
                capped = True
                break
            stamp = modified_ms(record)
            if stamp != edge_ms:
                edge_ms, edge_ids = stamp, set()
            edge_ids.add(str(record["id"]))
            yield record
        if not capped or edge_ms is None:
            return
        async for record in _walk_ties(search, edge_ms, edge_ids, wanted):
            yield record
        filters = [_filter(MODIFIED, "GT", edge_ms)]


async def _walk_ties(
    search: Search, stamp_ms: int, already: set[str], properties: list[str]
) -> AsyncIterator[dict[str, Any]]:
    """Every record modified exactly at `stamp_ms`, by ascending object id."""
    last_id = 0
    while True:
        filters = [_filter(MODIFIED, "EQ", stamp_ms), _filter(OBJECT_ID, "GT", last_id)]
        capped = False
        async for record, cut in walk_search(
            search, _body(filters, OBJECT_ID, properties)
        ):
            if cut:
                capped = True
                break
            last_id = int(record["id"])
            if str(record["id"]) not in already:
                yield record
        if not capped:
            return


def _filter(name: str, operator: str, value: int) -> dict[str, str]:
    return {"propertyName": name, "operator": operator, "value": str(value)}
