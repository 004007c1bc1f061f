"""Batch calls in chunks of 100, and their partial successes (HTTP 207).

A 207 keeps the records that worked in `results` and lists each failure
with its own category and message; HubSpot names the failed input by id,
or by the `objectWriteTraceId` the input carried. `BatchResult` gathers
the chunks of one logical batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sync.errors import ApiFailure
from sync.hubspot.failures import failure_ids, failure_of

BATCH_SIZE = 100
T = TypeVar("T")


@dataclass
class ItemFailure(ApiFailure):
    """A failed input of a batch: the answer's error and whom it names."""

    ids: list[str] = field(default_factory=list)
    trace_ids: list[str] = field(default_factory=list)


@dataclass
class BatchResult:
    results: list[dict[str, Any]] = field(default_factory=list)
    errors: list[ItemFailure] = field(default_factory=list)

    def extend(self, other: BatchResult) -> None:
        self.results.extend(other.results)
        self.errors.extend(other.errors)

    def failed_ids(self) -> dict[str, str]:
        """Each failed id or trace id -> what HubSpot said about it."""
        failed = {}
        for error in self.errors:
            message = error.body_excerpt or error.category or "failed"
            for name in [*error.ids, *error.trace_ids]:
                failed[name] = message
        return failed

    @property
    def ok(self) -> bool:
        return not self.errors


def chunks(items: Sequence[T], size: int = BATCH_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def read_batch_answer(method: str, path: str, body: dict[str, Any]) -> BatchResult:
    """The records and the per-item failures of one batch answer (200 or 207)."""
    errors = []
    for item in body.get("errors") or []:
        if not isinstance(item, dict):
            continue
        base = failure_of(method, path, 207, item)
        context = item.get("context") or {}
        traces = [str(value) for value in context.get("objectWriteTraceId") or []]
        ids = [] if traces and not context.get("ids") else failure_ids(item)
        errors.append(ItemFailure(**vars(base), ids=ids, trace_ids=traces))
    return BatchResult(results=list(body.get("results") or []), errors=errors)
