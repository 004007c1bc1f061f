"""What the webhook routes check before trusting a request: method and size.

A webhook URL is public and unauthenticated until the signature is checked,
and the signature needs the whole body. So the body is never read whole
before its size is known: a declared `Content-Length` over the limit is
refused unread, and a body sent without one (chunked) is read piece by
piece and dropped the moment it passes the limit.

Reflex mounts itself behind these routes with a catch-all, so a route that
only lists POST would hand a GET to Reflex, which answers 404. `post_route`
takes every method and answers 405 itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Endpoint = Callable[[Request], Awaitable[Response]]

ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# A Content-Length longer than this many digits is over any limit we use.
MAX_LENGTH_DIGITS = 18


def refusal(status: int, reason: str, **headers: str) -> JSONResponse:
    """The short answer every refused webhook request gets."""
    return JSONResponse({"error": reason}, status_code=status, headers=headers)


def too_large(limit_bytes: int) -> JSONResponse:
    # Closing stops the server from draining the rest of the body for the
    # next request on the same connection.
    return refusal(413, f"the body is over {limit_bytes} bytes", connection="close")


def declared_length(request: Request) -> int | None:
    """The declared Content-Length, if it is a plain number (the server has
    already refused any other)."""
    text = request.headers.get("content-length", "")
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) <= MAX_LENGTH_DIGITS else 10**MAX_LENGTH_DIGITS


async def read_body_within(request: Request, limit_bytes: int) -> bytes | None:
    """The raw body, or None as soon as it is known to pass `limit_bytes`
    (or when the client hangs up before the end, so nobody awaits an answer)."""
    declared = declared_length(request)
    if declared is not None and declared > limit_bytes:
        return None
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit_bytes:
                return None
            chunks.append(chunk)
    except ClientDisconnect:
        return None
    return b"".join(chunks)


def post_route(path: str, endpoint: Endpoint) -> Route:
    """A POST-only route that answers 405 (not Reflex's 404) to other methods."""

    async def only_post(request: Request) -> Response:
        if request.method != "POST":
            return refusal(
                405, f"{request.method} is not allowed; use POST", allow="POST"
            )
        return await endpoint(request)

    return Route(path, only_post, methods=ANY_METHOD, name=endpoint.__name__)
