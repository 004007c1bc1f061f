"""Service results turned into the plain strings the portal's pages show.

States keep lists of `dict[str, str]` so Reflex can send them to the browser
as they are; these functions do the shaping, and tests call them directly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from store.models import LogEvent, RunStatus, TenantStatus

FINISHED_RUN_STATUSES = (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED)
COUNT_ORDER = ("created", "updated", "unchanged", "skipped", "conflicts", "errors")
# The names of a linked pair on each side: a HubSpot deal is a Genius quote.
RECORD_KINDS = {"deal": ("deal", "quote"), "company": ("company", "customer")}
PAUSED_STATES = {TenantStatus.REAUTH_NEEDED: "waiting for HubSpot to be reconnected"}
STATUS_NOTES = {
    TenantStatus.DISABLED: (
        "Paused by an operator: no run starts, by hand or on schedule, "
        "until the tenant is enabled again."
    ),
    TenantStatus.REAUTH_NEEDED: (
        "HubSpot refused this portal's tokens: its admin must install the app "
        "again from HubSpot to reconnect it."
    ),
    TenantStatus.PARKED: (
        "Parked until someone looks: fix what the reason says, then enable "
        "the tenant to sync again."
    ),
    TenantStatus.UNINSTALLED: (
        "The app was uninstalled from this HubSpot portal: nothing can sync, "
        "and its data is purged after the retention period. To sync again, "
        "the portal's admin installs the app again from HubSpot."
    ),
}


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


def describe_status(status: str) -> str:
    """What a tenant's status means for an operator, and the way out of it."""
    return STATUS_NOTES.get(status, "")


def describe_next_run(status: str, interval_min: int | None, next_run: str) -> str:
    """`Next run …`, or why the schedule waits, or nothing without a schedule."""
    if not interval_min:
        return ""
    if status != TenantStatus.ACTIVE:
        state = PAUSED_STATES.get(status, status.replace("_", " "))
        return f"Paused while the tenant is {state}."
    return f"Next run {next_run}." if next_run else ""


def tenant_row(summary: dict[str, Any]) -> dict[str, str]:
    """A tenant summary (sync.tenants.tenant_summary) for lists and headers.

    The flags say what an operator can still do: an uninstalled tenant can
    neither be enabled nor synced until its portal installs the app again.
    """
    status = str(summary["status"])
    interval_min = summary["schedule_interval_min"]
    next_run = show_time(summary["next_run_at"])
    return {
        "id": str(summary["id"]),
        "hub_id": str(summary["hub_id"]),
        "name": summary["name"],
        "status": status,
        "status_reason": summary["status_reason"],
        "status_note": describe_status(status),
        "enabled": "yes" if status != TenantStatus.DISABLED else "",
        "installed": "yes" if status != TenantStatus.UNINSTALLED else "",
        "can_sync": "yes" if status == TenantStatus.ACTIVE else "",
        "genius_company": summary["genius_company"],
        "genius_base_url": summary["genius_base_url"],
        "genius_connected": "yes" if summary["genius_base_url"] else "",
        "genius_key_hint": summary.get("genius_key_hint", ""),
        "schedule": describe_schedule(interval_min),
        "schedule_interval_min": str(interval_min or ""),
        "schedule_paused": "yes" if interval_min and status != "active" else "",
        "next_run_at": next_run,
        "next_run": describe_next_run(status, interval_min, next_run),
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
        "counts": run_counts(summary["status"], summary["counts"]),
        "queued_at": show_time(summary["queued_at"]),
        "finished_at": show_time(summary["finished_at"]),
        "duration": "" if duration is None else f"{duration:.2f} s",
        "error": summary["error"],
    }


def run_counts(status: str, counts: dict[str, int]) -> str:
    """A run's counts; a run that counted nothing says why rather than
    "nothing to do": it has not counted yet, or it stopped first."""
    if any(counts.values()):
        return format_counts(counts)
    if not run_is_finished(status):
        return "—"
    return "nothing done" if status == RunStatus.FAILED else "nothing to do"


def format_counts(counts: dict[str, int]) -> str:
    """`created 12 · updated 3 · customers created 1`, the usual names first,
    zeros left out, keys written as words."""
    ordered = [name for name in COUNT_ORDER if name in counts]
    ordered += sorted(name for name in counts if name not in COUNT_ORDER)
    parts = [
        f"{name.replace('_', ' ')} {counts[name]}" for name in ordered if counts[name]
    ]
    return " · ".join(parts) if parts else "nothing to do"


def upsert_run(runs: list[dict[str, str]], run: dict[str, str]) -> list[dict[str, str]]:
    """`runs` (newest first) with `run` put in its place, replacing its old row."""
    others = [row for row in runs if row["id"] != run["id"]]
    return sorted([run, *others], key=lambda row: int(row["id"]), reverse=True)


def describe_record(kind: str, hubspot_id: str, genius_id: str) -> str:
    """`HubSpot deal 2001 ↔ Genius quote Q-17`, with the sides that are known."""
    hubspot_kind, genius_kind = RECORD_KINDS.get(kind, (kind, kind))
    sides = []
    if hubspot_id:
        sides.append(" ".join(filter(None, ("HubSpot", hubspot_kind, hubspot_id))))
    if genius_id:
        sides.append(" ".join(filter(None, ("Genius", genius_kind, genius_id))))
    return " ↔ ".join(sides)


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
        "record": describe_record(event.object_kind, event.hubspot_id, event.genius_id),
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
