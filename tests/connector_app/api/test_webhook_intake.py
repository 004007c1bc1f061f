"""What both webhook routes refuse before trusting a request, over real HTTP.

A body over the limit is refused at once, declared or streamed, without
waiting for the rest of it; junk in a timestamp or a path is a short 4xx,
never a 500; and other methods than POST get 405 even with Reflex's
catch-all mounted behind the routes, as it is in production.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.responses import PlainTextResponse

from connector_app.api import build_api, genius_webhooks, hubspot_webhooks
from sandbox.serving import serve_app

GENIUS_LIMIT = genius_webhooks.MAX_BODY_BYTES
HUBSPOT_LIMIT = hubspot_webhooks.MAX_BODY_BYTES
CHUNK = 64 * 1024
# Long enough for a quick answer on a busy machine, far shorter than it
# takes a server that waits for the whole body to give up.
ANSWER_TIMEOUT_S = 5.0


def raw_post(
    base_url: str, path: str, headers: dict[str, str], chunks: Iterator[bytes]
) -> tuple[int, dict]:
    """POST by hand, send `chunks` without ending the body, read the answer."""
    address = urlsplit(base_url)
    lines = [f"POST {path} HTTP/1.1", f"Host: {address.netloc}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection(
        (address.hostname, address.port), timeout=ANSWER_TIMEOUT_S
    ) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered and stopped reading: the answer waits
        return read_answer(sock)


def read_answer(sock: socket.socket) -> tuple[int, dict]:
    data = b""
    while b"\r\n\r\n" not in data:
        received = sock.recv(CHUNK)
        if not received:
            raise AssertionError(f"the server hung up without answering: {data!r}")
        data += received
    head, body = data.split(b"\r\n\r\n", 1)
    fields = dict(
        line.decode().lower().split(": ", 1) for line in head.split(b"\r\n")[1:]
    )
    while len(body) < int(fields.get("content-length", 0)):
        body += sock.recv(CHUNK)
    return int(head.split()[1]), json.loads(body or b"{}")


def chunked(total_bytes: int) -> Iterator[bytes]:
    """`total_bytes` of chunked encoding, without the final empty chunk."""
    for _ in range(0, total_bytes, CHUNK):
        yield b"%x\r\n" % CHUNK + b"x" * CHUNK + b"\r\n"


def route_path(route: str, tenant_id: int) -> str:
    return f"/webhooks/genius/{tenant_id}" if route == "genius" else "/webhooks/hubspot"


@pytest.mark.parametrize(
    ("route", "limit"),
    [("genius", GENIUS_LIMIT), ("hubspot", HUBSPOT_LIMIT)],
    ids=["genius", "hubspot"],
)
@pytest.mark.parametrize(
    "sending",
    ["declared-400-mb", "chunked-past-the-limit"],
)
def test_a_body_over_the_limit_is_a_413_before_it_ends(
    served_api, hooked_tenant, route, limit, sending
):
    if sending == "declared-400-mb":
        headers, chunks = {"Content-Length": str(400 * 1024 * 1024)}, iter(())
    else:
        headers, chunks = {"Transfer-Encoding": "chunked"}, chunked(limit + 2 * CHUNK)

    status, answer = raw_post(
        served_api, route_path(route, hooked_tenant), headers, chunks
    )

    assert status == 413
    assert str(limit) in answer["error"]


@pytest.mark.parametrize("route", ["genius", "hubspot"])
def test_a_body_under_the_limit_reaches_the_signature_check(
    served_api, hooked_tenant, route
):
    limit = GENIUS_LIMIT if route == "genius" else HUBSPOT_LIMIT
    body = b"x" * (limit - 1)

    answer = httpx.post(f"{served_api}{route_path(route, hooked_tenant)}", content=body)

    assert answer.status_code == 401


def headers_of(route: str, timestamp: bytes) -> dict[str, bytes]:
    if route == "genius":
        return {"X-Genius-Timestamp": timestamp, "X-Genius-Signature": b"sha256=00"}
    return {
        "X-HubSpot-Request-Timestamp": timestamp,
        "X-HubSpot-Signature-v3": b"AAAA",
    }


@pytest.mark.parametrize("route", ["genius", "hubspot"])
@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [
        pytest.param(b"9" * 5000, "too long", id="5000-digits"),
        pytest.param(b"9" * 400, "too long", id="400-digits"),
        pytest.param(b"\xb2", "is not", id="superscript-two"),
        pytest.param(b"-1700000000", "is not", id="negative"),
    ],
)
def test_a_junk_timestamp_is_a_401_with_its_reason(
    served_api, hooked_tenant, route, timestamp, reason
):
    answer = httpx.post(
        f"{served_api}{route_path(route, hooked_tenant)}",
        content=b"[]",
        headers=headers_of(route, timestamp),
    )

    assert answer.status_code == 401
    assert reason in answer.json()["error"]
    assert len(answer.json()["error"]) < 120


@pytest.mark.parametrize(
    "tenant",
    [
        pytest.param("9" * 30, id="30-digits"),
        pytest.param("2147483648", id="past-32-bits"),
        pytest.param("0", id="zero"),
        pytest.param("-1", id="negative"),
        pytest.param("%C2%B2", id="superscript-two"),
    ],
)
def test_a_tenant_id_that_cannot_be_one_is_a_404(served_api, hooked_tenant, tenant):
    answer = httpx.post(f"{served_api}/webhooks/genius/{tenant}", content=b"{}")

    assert answer.status_code == 404
    assert answer.json() == {"error": "unknown tenant"}


async def reflex_catch_all(scope, receive, send) -> None:
    """What Reflex answers for a path it does not know."""
    await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)


@pytest.fixture
def api_behind_reflex() -> Iterator[str]:
    """Our routes with a catch-all mounted behind them, as Reflex mounts itself."""
    api = build_api()
    api.mount("", reflex_catch_all)
    with serve_app(api) as url:
        yield url


@pytest.mark.parametrize("path", ["/webhooks/genius/1", "/webhooks/hubspot"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_another_method_than_post_is_a_405(api_behind_reflex, path, method):
    answer = httpx.request(method, f"{api_behind_reflex}{path}")

    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
