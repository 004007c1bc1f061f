"""Service results turned into the plain strings the portal's pages show.

States keep lists of `dict[str, str]` so Reflex can send them to the browser
as they are; these functions do the shaping, and tests call them directly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from store.models import LogEvent, RunStatus

FINISHED_RUN_STATUSES = (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED)
COUNT_ORDER = ("created", "updated", "unchanged", "skipped", "conflicts", "errors")


def show_time(value: str | datetime | None) -> str:
    """An ISO time as `YYYY-MM-DD HH:MM:SS UTC`, or an empty string."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def describe_schedule(interval_min: int | None) -> str:
    if not interval_min:
        return "off"
    if interval_min % 60 == 0:
        hours = interval_min // 60
        return "every hour" if hours == 1 else f"every {hours} hours"
    return f"every {interval_min} minutes"


def tenant_row(summary: dict[str, Any]) -> dict[str, str]:
    """A tenant summary (sync.tenants.tenant_summary) for lists and headers."""
    return {
        "id": str(summary["id"]),
        "hub_id": str(summary["hub_id"]),
        "name": summary["name"],
        "status": str(summary["status"]),
        "status_reason": summary["status_reason"],
        "enabled": "yes" if summary["status"] != "disabled" else "",
        "genius_company": summary["genius_company"],
        "genius_base_url": summary["genius_base_url"],
        "genius_connected": "yes" if summary["genius_base_url"] else "",
        "genius_key_hint": summary.get("genius_key_hint", ""),
        "schedule": describe_schedule(summary["schedule_interval_min"]),
        "schedule_interval_min": str(summary["schedule_interval_min"] or ""),
        "next_run_at": show_time(summary["next_run_at"]),
        "last_run_status": str(summary["last_run_status"] or "never"),
        "last_run_at": show_time(summary["last_run_at"]),
    }


def run_is_finished(status: str) -> bool:
    return status in FINISHED_RUN_STATUSES


def progress_percent(done: int, total: int) -> int:
    if total <= 0:
        return 0
    return max(0, min(100, round(done * 100 / total)))


def run_view(summary: dict[str, Any]) -> dict[str, str]:
    """A run summary (sync.runs.run_summary) as the tenant page shows it."""
    duration = summary["duration_s"]
    return {
        "id": str(summary["id"]),
        "trigger": summary["trigger"],
        "status": str(summary["status"]),
        "phase": summary["phase"],
        "finished": "yes" if run_is_finished(summary["status"]) else "",
        "progress_done": str(summary["progress_done"]),
        "progress_total": str(summary["progress_total"]),
        "percent": str(
            progress_percent(summary["progress_done"], summary["progress_total"])
        ),
        "counts": format_counts(summary["counts"]),
        "queued_at": show_time(summary["queued_at"]),
        "finished_at": show_time(summary["finished_at"]),
        "duration": "" if duration is None else f"{duration:.2f} s",
        "error": summary["error"],
    }


def format_counts(counts: dict[str, int]) -> str:
    """`created 12 · updated 3 · …`, the usual names first, zeros left out."""
    ordered = [name for name in COUNT_ORDER if name in counts]
    ordered += sorted(name for name in counts if name not in COUNT_ORDER)
    parts = [f"{name} {counts[name]}" for name in ordered if counts[name]]
    return " · ".join(parts) if parts else "nothing to do"


def event_row(event: LogEvent) -> dict[str, str]:
    """A stored log event as one line of the log explorer."""
    return {
        "id": str(event.id),
        "at": show_time(event.at),
        "level": event.level,
        "event": event.event,
        "run_id": "" if event.run_id is None else str(event.run_id),
        "object_kind": event.object_kind,
        "hubspot_id": event.hubspot_id,
        "genius_id": event.genius_id,
        "message": event.message,
    }


def parse_interval(text: str) -> int | None:
    """The schedule field: empty or "off" is None, otherwise whole minutes.

    Raises ValueError with a message an operator can act on.
    """
    cleaned = text.strip().lower()
    if cleaned in ("", "off", "0"):
        return None
    if not cleaned.isdigit():
        raise ValueError(
            f"schedule {text.strip()!r} is not a number of minutes: "
            "type whole minutes such as 15, or leave it empty to turn it off"
        )
    return int(cleaned)


def parse_optional_id(text: str, label: str) -> int | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise ValueError(f"{label} {cleaned!r} is not a number: type digits only")
    return int(cleaned)
