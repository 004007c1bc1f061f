"""What every CRM call passes before its handler: token, install, scopes, limits.

HubSpot counts calls per app and installing portal: 110 per rolling 10 s
for general calls, 5 per second for search (which is exempt from the
ten-secondly bucket and answers without rate-limit headers).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from sandbox.hubspot import catalog
from sandbox.hubspot.errors import ApiError, correlation_id, render_error
from sandbox.hubspot.faults import Faults, rate_limit_error
from sandbox.hubspot.registry import App, Grant
from sandbox.hubspot.values import now_ms
from sandbox.hubspot.world import Portal, Source

if TYPE_CHECKING:
    from sandbox.hubspot.app import Sandbox

_ECOMMERCE = {"line_items", "products"}


@dataclass
class Call:
    """One authenticated API call, handed to the handler."""

    request: Request
    sandbox: Sandbox
    grant: Grant
    portal: Portal
    app: App

    @property
    def source(self) -> Source:
        # Writes through the API are attributed to the calling app; webhooks
        # carry that app id as sourceId, which lets an app drop its own echoes.
        return Source("INTEGRATION", str(self.app.app_id))

    def param(self, name: str) -> str:
        return self.request.path_params[name]


Handler = Callable[[Call], Awaitable[Response]]
ScopeRule = Callable[[Request], list[str]]


def object_scopes(access: str, param: str = "objectType") -> ScopeRule:
    """Scopes that allow `access` (read|write) to the type named by `param`."""

    def rule(request: Request) -> list[str]:
        kind = catalog.resolve_type(request.path_params.get(param, ""))
        if kind is None:
            return []
        allowed = [f"crm.objects.{kind.name}.{access}"]
        if kind.name in _ECOMMERCE:
            allowed.append("e-commerce")
        return allowed

    return rule


def schema_scopes(access: str) -> ScopeRule:
    def rule(request: Request) -> list[str]:
        kind = catalog.resolve_type(request.path_params.get("objectType", ""))
        if kind is None:
            return []
        allowed = [f"crm.schemas.{kind.name}.{access}"]
        if access == "read":
            allowed.append(f"crm.objects.{kind.name}.read")
        if kind.name in _ECOMMERCE:
            allowed.append("e-commerce")
        return allowed

    return rule


class Limits:
    """Sliding windows per (app, portal), on the sandbox's own clock."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.general: dict[tuple[int, int], deque[float]] = {}
        self.search: dict[tuple[int, int], deque[float]] = {}

    def admit(self, key: tuple[int, int], *, search: bool) -> dict[str, str]:
        faults = self.faults
        if search:
            limit, window_ms = faults.search_limit, faults.search_window_ms
            book = self.search
        else:
            limit, window_ms = faults.general_limit, faults.general_window_ms
            book = self.general
        now = time.monotonic()
        calls = book.setdefault(key, deque())
        while calls and now - calls[0] >= window_ms / 1000:
            calls.popleft()
        if faults.rate_limits and len(calls) >= limit:
            policy = "SECONDLY" if search else "TEN_SECONDLY_ROLLING"
            raise rate_limit_error(policy, None)
        calls.append(now)
        if search:
            return {}
        return {
            "X-HubSpot-RateLimit-Max": str(limit),
            "X-HubSpot-RateLimit-Remaining": str(max(0, limit - len(calls))),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(window_ms),
            # Deprecated by HubSpot but still sent.
            "X-HubSpot-RateLimit-Secondly": str(max(1, limit // 10)),
            "X-HubSpot-RateLimit-Secondly-Remaining": str(
                max(0, limit // 10 - _recent(calls, now, 1.0))
            ),
        }


def _recent(calls: deque[float], now: float, span_s: float) -> int:
    return sum(1 for moment in calls if now - moment < span_s)


def authenticate(sandbox: Sandbox, request: Request) -> Grant:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    grant = sandbox.world.access_tokens.get(token) if token else None
    if grant is None:
        raise ApiError(
            401,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 "
            "authentication and you can find more details at "
            "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        )
    late_ms = now_ms() - grant.expires_ms
    if late_ms >= 0:
        minutes = max(1, late_ms // 60_000)
        raise ApiError(
            401,
            "EXPIRED_AUTHENTICATION",
            f"The OAuth token used to make this call expired {minutes} minute(s) ago.",
        )
    if (grant.app_id, grant.hub_id) not in sandbox.world.installs:
        raise ApiError(
            401,
            "INVALID_AUTHENTICATION",
            "The app is not installed in this account any more.",
        )
    return grant


def check_scopes(grant: Grant, allowed: list[str]) -> None:
    if not allowed or any(scope in grant.scopes for scope in allowed):
        return
    raise ApiError(
        403,
        "MISSING_SCOPES",
        "This app hasn't been granted all required scopes to make this call. "
        "Read more about required scopes here: https://developers.hubspot.com/scopes.",
        errors=[
            {
                "message": "One or more of the following scopes are required.",
                "context": {"requiredGranularScopes": allowed},
            }
        ],
    )


def api(
    handler: Handler,
    *,
    scopes: ScopeRule | None = None,
    search: bool = False,
    writes: bool = False,
) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint running `handler` behind HubSpot's checks.

    `writes` marks the state as changed after the call, so that it is saved.
    """

    async def endpoint(request: Request) -> Response:
        sandbox: Sandbox = request.app.state.sandbox
        headers: dict[str, str] = {}
        try:
            grant = authenticate(sandbox, request)
            await sandbox.faults.before_call()
            headers = sandbox.limits.admit((grant.app_id, grant.hub_id), search=search)
            if scopes is not None:
                check_scopes(grant, scopes(request))
            call = Call(
                request,
                sandbox,
                grant,
                sandbox.world.portals[grant.hub_id],
                sandbox.world.apps[grant.app_id],
            )
            response = await handler(call)
        except ApiError as error:
            return render_error(error, headers)
        response.headers.update(headers)
        response.headers["X-HubSpot-Correlation-Id"] = correlation_id()
        if writes:
            sandbox.mark_dirty()
        return response

    return endpoint
