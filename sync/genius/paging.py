"""Walking a Genius list: pages, totals, and records that move while we read.

Genius pages with `page` and `pageSize` over a list sorted by `ModifiedAt`
then key. Page numbers alone are unsafe for a long walk: a record modified
meanwhile jumps to the end of the list and every record behind it shifts
one place forward, so the next page would start one record too late and
that record would be missed for good. The stream therefore walks by the
filter itself: after each page it asks again from the last `ModifiedAt`
seen (the filter is inclusive) and drops the records it already gave.
Only when a whole page shares one `ModifiedAt` does it turn the page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from sync.errors import FatalError

FetchPage = Callable[[str | None, int], Awaitable[dict[str, Any]]]


class RecordStream(AsyncIterator[dict[str, Any]]):
    """Records of a Genius list, each once; `total` is known after the first page."""

    def __init__(
        self, fetch: FetchPage, *, key: str, since: str | None, page_size: int
    ) -> None:
        self._fetch = fetch
        self._key = key
        self._since = since
        self._page = 1
        self._page_size = page_size
        self._seen_at_since: set[str] = set()
        self._buffer: list[dict[str, Any]] = []
        self._last_keys: list[str] | None = None
        self._done = False
        self.total: int | None = None
        self.pages = 0

    def __aiter__(self) -> RecordStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        while not self._buffer:
            if self._done:
                raise StopAsyncIteration
            await self._read_page()
        return self._buffer.pop(0)

    async def _read_page(self) -> None:
        answer = await self._fetch(self._since, self._page)
        rows = answer.get("Data")
        if not isinstance(rows, list):
            raise FatalError("Genius answered a list without Data; check the API path")
        self.pages += 1
        if self.total is None:
            self.total = int(answer.get("TotalCount", len(rows)))
        self._check_progress(rows)

        self._buffer = [row for row in rows if not self._already_given(row)]
        if len(rows) < self._page_size:
            self._done = True
            return
        self._advance(rows)

    def _already_given(self, row: dict[str, Any]) -> bool:
        return (
            row["ModifiedAt"] == self._since and row[self._key] in self._seen_at_since
        )

    def _advance(self, rows: list[dict[str, Any]]) -> None:
        last = rows[-1]["ModifiedAt"]
        at_last = {row[self._key] for row in rows if row["ModifiedAt"] == last}
        if last == self._since:
            self._page += 1
            self._seen_at_since |= at_last
        else:
            self._since = last
            self._page = 1
            self._seen_at_since = at_last

    def _check_progress(self, rows: list[dict[str, Any]]) -> None:
        # An installation that ignores the page parameter would loop forever.
        keys = [row[self._key] for row in rows]
        if keys and keys == self._last_keys and self._page > 1:
            raise FatalError(
                f"Genius returned the same page twice (page {self._page}); "
                "check the page parameter names of the Genius profile"
            )
        self._last_keys = keys
