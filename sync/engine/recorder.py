"""What a run did, written as it goes: counts, progress and log events.

Writes are grouped: events and progress reach the database at most every
half second (and at the end), so a run of thousands of records does not
make thousands of commits, while the portal still sees it move.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from store.db import session_scope
from store.models import SyncRun
from sync.activity import record_event
from sync.runs import record_progress

FLUSH_EVERY_S = 0.5


class RunRecorder:
    """Counts, progress and events of one run of one tenant."""

    def __init__(self, tenant_id: int, run_id: int) -> None:
        self.tenant_id = tenant_id
        self.run_id = run_id
        self.counts: Counter[str] = Counter()
        self.api_calls: dict[str, int] = {}
        self.done = 0
        self.total = 0
        self.phase = ""
        self._events: list[dict[str, Any]] = []
        self._flushed_at = 0.0

    def count(self, key: str, amount: int = 1) -> None:
        self.counts[key] += amount

    def event(
        self, event: str, message: str = "", *, level: str = "info", **ids: Any
    ) -> None:
        self._events.append({"event": event, "message": message, "level": level, **ids})
        self.flush()

    def enter_phase(self, phase: str, *, total: int | None = None) -> None:
        self.phase = phase
        if total is not None:
            self.total = total
        self.flush(force=True)

    def advance(self, amount: int = 1) -> None:
        self.done += amount
        self.flush()

    def flush(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._flushed_at < FLUSH_EVERY_S:
            return
        self._flushed_at = now
        events, self._events = self._events, []
        with session_scope() as session:
            for fields in events:
                record_event(
                    session, tenant_id=self.tenant_id, run_id=self.run_id, **fields
                )
            run = session.get(SyncRun, self.run_id)
            record_progress(
                session,
                run,
                phase=self.phase,
                done=self.done,
                total=self.total,
                counts=dict(self.counts),
                api_calls=self.api_calls,
            )
