"""Walking a Genius list: pages, totals, and records that move while we read.

Genius pages with `page` and `pageSize` over a list sorted by `ModifiedAt`
then key. Page numbers alone are unsafe for a long walk: a record modified
meanwhile jumps to the end of the list and every record behind it shifts
one place forward, so the next page starts one record too late and that
record is missed for good (it is older than any later cursor).

So the stream walks by the filter itself: after each page it asks again
from the last `ModifiedAt` seen (the filter is inclusive) and drops the
records it already gave. Only when a whole page shares one `ModifiedAt`
(a bulk import, say) must it turn pages inside that second; records can
only leave such a bucket while we read, never enter it, so after turning
pages the stream reads the bucket once more and gives what slid past.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sync.errors import FatalError

FetchPage = Callable[[str | None, int], Awaitable[dict[str, Any]]]


@dataclass
class Position:
    """Where the walk asks next: the filter text, the page, what it gave there."""

    since: str | None
    page: int = 1
    given: set[str] = field(default_factory=set)
    finished: bool = False


class RecordStream(AsyncIterator[dict[str, Any]]):
    """Records of a Genius list, each at least once; `total` after the first page."""

    def __init__(
        self, fetch: FetchPage, *, key: str, since: str | None, page_size: int
    ) -> None:
        self._fetch = fetch
        self._key = key
        self._page_size = page_size
        self._at = Position(since)
        self._turned = False
        self._resume: Position | None = None
        self._buffer: list[dict[str, Any]] = []
        self._last_keys: list[str] = []
        self.total: int | None = None
        self.pages = 0

    def __aiter__(self) -> RecordStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        while not self._buffer:
            if self._at.finished:
                raise StopAsyncIteration
            await self._read_page()
        return self._buffer.pop(0)

    async def _read_page(self) -> None:
        at = self._at
        answer = await self._fetch(at.since, at.page)
        rows = answer.get("Data")
        if not isinstance(rows, list):
            raise FatalError("Genius answered a list without Data; check the API path")
        self.pages += 1
        if self.total is None:
            self.total = int(answer.get("TotalCount", len(rows)))
        self._check_progress(rows)

        fresh = [r for r in rows if not self._given(r)]
        if self._resume is not None:
            fresh = [r for r in fresh if r["ModifiedAt"] == at.since]
        self._buffer = fresh
        at.given |= {r[self._key] for r in rows if r["ModifiedAt"] == at.since}
        self._move(rows)

    def _given(self, row: dict[str, Any]) -> bool:
        return row["ModifiedAt"] == self._at.since and row[self._key] in self._at.given

    def _move(self, rows: list[dict[str, Any]]) -> None:
        full = len(rows) == self._page_size
        last = rows[-1]["ModifiedAt"] if rows else None
        if full and last == self._at.since:
            # The bucket of one second goes on past this page.
            self._at.page += 1
            self._turned = True
            return
        if self._resume is not None:
            self._at, self._resume, self._turned = self._resume, None, False
            return
        after = Position(
            since=last,
            given={r[self._key] for r in rows if r["ModifiedAt"] == last},
            finished=not full,
        )
        if self._turned:
            # Read the bucket again from its start before going on after it.
            self._resume = after
            self._at = Position(self._at.since, given=self._at.given)
        else:
            self._at = after

    def _check_progress(self, rows: list[dict[str, Any]]) -> None:
        # An installation that ignores the page parameter would loop forever.
        keys = [row[self._key] for row in rows]
        if keys and keys == self._last_keys and self._at.page > 1:
            raise FatalError(
                f"Genius returned the same page twice (page {self._at.page}); "
                "check the page parameter names of the Genius profile"
            )
        self._last_keys = keys
