"""What one run carries from step to step."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from store.models import Tenant
from sync.engine.recorder import RunRecorder

T = TypeVar("T")
HUBSPOT_BATCH_SIZE = 100
# In a link's snapshot: the raw inputs both sides last agreed on (see
# mapping/raw_inputs.py); present only when that agreement needed no write.
RAW_KEY = "raw"


@dataclass
class RunScope:
    tenant: Tenant
    run_id: int
    hubspot: Any  # sync.hubspot.HubSpotClient
    genius: Any  # sync.genius.GeniusClient
    mapping: Any  # mapping CompiledMapping
    recorder: RunRecorder
    closed_stages: frozenset[tuple[str, str]] = frozenset()

    @property
    def tenant_id(self) -> int:
        return self.tenant.id

    def genius_modified(
        self, record: dict[str, Any], *, not_before: datetime | None = None
    ) -> datetime | None:
        """A Genius record's instant; `not_before` (the link's last known time)
        settles a time of the repeated autumn hour in favour of the later reading."""
        if not record.get("ModifiedAt"):
            return None
        return self.genius.modified_at(record, not_before=not_before)


def hubspot_modified(record: dict[str, Any]) -> datetime | None:
    """The record's last modification time (hs_lastmodifieddate, else updatedAt)."""
    properties = record.get("properties") or {}
    text = properties.get("hs_lastmodifieddate") or record.get("updatedAt")
    return datetime.fromisoformat(text) if text else None


def chunks(items: Sequence[T], size: int = HUBSPOT_BATCH_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def closed_stage_ids(pipelines: list[dict[str, Any]]) -> frozenset[tuple[str, str]]:
    """(pipeline id, stage id) of every closed deal stage (won or lost)."""
    return frozenset(
        (str(pipeline["id"]), str(stage["id"]))
        for pipeline in pipelines
        for stage in pipeline.get("stages", [])
        if str((stage.get("metadata") or {}).get("isClosed", "false")).lower() == "true"
    )


def json_ready(value: Any) -> Any:
    """Decimals become exact text, so a snapshot compares equal after storage."""
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_ready(item) for item in value]
    if isinstance(value, (int, str, bool)) or value is None:
        return value
    return str(value)


def present(fields: dict[str, Any]) -> dict[str, Any]:
    """Fields with a value: a new record or line leaves the others to the ERP's
    defaults (Genius accepts no null for a date or a number)."""
    return {name: value for name, value in fields.items() if value is not None}
