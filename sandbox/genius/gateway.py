"""What every Genius request goes through: the fault gate, credentials, errors.

`genius_endpoint` wraps a handler: maintenance first, then the credential
headers (401 unknown key, 403 company the key may not use), then the rate
limit and injected faults. Handlers raise `Rejection` (409/422) or
`Missing` (404); the wrapper answers with Genius's error list.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.genius import jsonio
from sandbox.genius.state import LOCAL_FORMAT, Company
from sandbox.genius.validation import Rejection, problem

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500

Handler = Callable[[Request, Any, Company], Awaitable[Response]]


class Missing(Exception):
    """The record asked for does not exist: 404."""


def reply(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        jsonio.dumps(data), status, headers=headers, media_type="application/json"
    )


def refuse(
    status: int, errors: list[dict[str, str]], retry_after_s: int | None = None
) -> Response:
    headers = {} if retry_after_s is None else {"Retry-After": str(retry_after_s)}
    return reply({"errors": errors}, status, headers)


def genius_endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler with the checks every Genius request passes."""

    async def endpoint(request: Request) -> Response:
        sandbox = request.app.state.sandbox
        response = await _answer(request, sandbox, handler)
        response.headers["X-Correlation-Id"] = uuid.uuid4().hex[:16]
        return response

    return endpoint


async def _answer(request: Request, sandbox: Any, handler: Handler) -> Response:
    refusal = sandbox.gate.before_auth()
    if refusal is None:
        api_key = request.headers.get(sandbox.shape.key_header, "")
        code = request.headers.get(sandbox.shape.company_header, "")
        status, company = sandbox.state.access(api_key, code)
        if status == 401:
            return refuse(
                401, [problem("", "invalid_api_key", "the API key is not valid")]
            )
        if status == 403:
            message = f"this API key may not use company {code!r}"
            return refuse(403, [problem("", "company_forbidden", message)])
        refusal = sandbox.gate.after_auth(api_key)
    if refusal is not None:
        error = problem("", refusal.code, refusal.message)
        return refuse(refusal.status, [error], refusal.retry_after_s)

    if sandbox.gate.latency_s:
        await asyncio.sleep(sandbox.gate.latency_s)
    try:
        return await handler(request, sandbox, company)
    except Rejection as exc:
        return refuse(exc.status, exc.errors)
    except Missing as exc:
        return refuse(404, [problem("", "not_found", str(exc))])


async def read_body(request: Request) -> dict[str, Any]:
    try:
        body = jsonio.loads(await request.body())
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise Rejection(
            422, [problem("", "invalid_json", "the body is not a JSON object")]
        )
    return body


def page_of(
    records: list[dict[str, Any]], request: Request, key: str
) -> dict[str, Any]:
    """One page of `records` filtered by modifiedSince, sorted by ModifiedAt, key."""
    params = request.query_params
    errors = []
    since = params.get("modifiedSince", "")
    try:
        if since:
            datetime.strptime(since, LOCAL_FORMAT)
    except ValueError:
        errors.append(
            problem(
                "modifiedSince",
                "invalid_format",
                "modifiedSince is local time 'YYYY-MM-DD HH:MM:SS'",
            )
        )
    page = _whole(params.get("page", "1"), "page", 1, None, errors)
    size = _whole(
        params.get("pageSize", str(DEFAULT_PAGE_SIZE)),
        "pageSize",
        1,
        MAX_PAGE_SIZE,
        errors,
    )
    if errors:
        raise Rejection(422, errors)

    # Local text compares like the ERP's datetime column: no offset, so the
    # second pass of the autumn hour sorts before the end of the first one.
    rows = sorted(
        (r for r in records if not since or r["ModifiedAt"] >= since),
        key=lambda r: (r["ModifiedAt"], r[key]),
    )
    start = (page - 1) * size
    return {
        "Data": rows[start : start + size],
        "Page": page,
        "PageSize": size,
        "TotalCount": len(rows),
        "TotalPages": math.ceil(len(rows) / size),
    }


def _whole(
    text: str, name: str, low: int, high: int | None, errors: list[dict[str, str]]
) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < low or (high is not None and value > high):
        limit = f"between {low} and {high}" if high else f"{low} or more"
        errors.append(problem(name, "out_of_range", f"{name} must be {limit}"))
    return value
