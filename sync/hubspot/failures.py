"""Reading HubSpot's error answers into `ApiFailure`s and sync errors.

HubSpot's error body is `{status, message, correlationId, category,
errors[], context}`, but every field is optional in practice: a 404 may
come with an empty or non-JSON body, and a 429 carries `policyName` and
`errorType` instead of a category.
"""

from __future__ import annotations

from typing import Any

import httpx

from sync.errors import (
    ApiErrorDetail,
    ApiFailure,
    AuthorizationNeeded,
    ConnectorError,
    RecordNotFound,
    RecordRejected,
    RetriableError,
)

REJECTED = {400, 409, 410, 413, 414, 415, 422}


def read_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def error_details(body: dict[str, Any]) -> list[ApiErrorDetail]:
    details = []
    for item in body.get("errors") or []:
        if not isinstance(item, dict):
            continue
        names = (item.get("context") or {}).get("propertyName") or [""]
        details.append(
            ApiErrorDetail(
                message=str(item.get("message", "")),
                field=str(names[0]),
                code=str(item.get("code", "")),
            )
        )
    return details


def failure_of(
    method: str, path: str, status: int, body: dict[str, Any], headers: Any = None
) -> ApiFailure:
    correlation = body.get("correlationId") or (headers or {}).get(
        "x-hubspot-correlation-id", ""
    )
    return ApiFailure(
        system="hubspot",
        method=method,
        path=path,
        status=status,
        category=str(body.get("category") or body.get("policyName") or ""),
        correlation_id=str(correlation),
        details=error_details(body),
        body_excerpt=str(body.get("message", ""))[:200],
    )


def item_failure(method: str, path: str, item: dict[str, Any]) -> ApiFailure:
    """One failed input of a 207 batch answer."""
    return failure_of(method, path, 207, item)


def failure_ids(item: dict[str, Any]) -> list[str]:
    """The ids (or trace ids) a batch error names in its context."""
    context = item.get("context") or {}
    for key in ("ids", "id", "objectWriteTraceId", "fromObjectId"):
        if context.get(key):
            return [str(value) for value in context[key]]
    return []


def error_for(
    failure: ApiFailure, *, tenant_id: int | None, object_kind: str = ""
) -> ConnectorError:
    """The sync error a non-retried HubSpot answer stands for."""
    message = describe(failure)
    ids = {"tenant_id": tenant_id, "object_kind": object_kind, "failure": failure}
    if failure.status == 404:
        return RecordNotFound(message, **ids)
    if failure.status in REJECTED:
        return RecordRejected(message, **ids)
    if failure.status == 403:
        return AuthorizationNeeded(
            f"{message}; reinstall the app so HubSpot grants the scopes it asks for",
            system="hubspot",
            **ids,
        )
    if failure.status == 401:
        return AuthorizationNeeded(
            f"{message}; reconnect HubSpot", system="hubspot", **ids
        )
    return RetriableError(message, **ids)


def describe(failure: ApiFailure) -> str:
    text = failure.describe()
    reasons = "; ".join(d.message for d in failure.details if d.message)
    reason = reasons or failure.body_excerpt
    return f"{text}: {reason[:300]}" if reason else text
