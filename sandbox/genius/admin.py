"""The `/_sandbox/` endpoints: what only the sandbox has (fixtures, faults, clock).

Documented in `sandbox/genius/README.md`. No authentication: the sandbox
listens on loopback and these endpoints exist for tests and demos.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.genius import jsonio
from sandbox.genius.fixture import FixtureError, load_state


def reply(data: Any, status: int = 200) -> Response:
    return Response(jsonio.dumps(data), status, media_type="application/json")


def oops(message: str, status: int = 400) -> Response:
    return reply({"error": message}, status)


async def read_object(request: Request) -> dict[str, Any] | None:
    try:
        body = jsonio.loads(await request.body() or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


async def load_fixture(request: Request) -> Response:
    sandbox = request.app.state.sandbox
    document = await read_object(request)
    mode = request.query_params.get("mode", "replace")
    if document is None or mode not in ("replace", "merge"):
        return oops("send a fixture object; mode is replace or merge")
    try:
        loaded = load_state(document)
    except FixtureError as exc:
        return oops(str(exc), 422)
    if mode == "merge":
        sandbox.state.companies.update(loaded.companies)
        sandbox.state.dirty = True
    else:
        loaded.clock = sandbox.state.clock
        sandbox.replace_state(loaded)
    return reply({"companies": sorted(sandbox.state.companies)})


async def dump_state(request: Request) -> Response:
    return reply(request.app.state.sandbox.state.to_document())


async def faults(request: Request) -> Response:
    sandbox = request.app.state.sandbox
    if request.method == "DELETE":
        sandbox.reset_faults()
    elif request.method == "POST":
        changes = await read_object(request)
        if changes is None:
            return oops("send an object of fault settings")
        refused = sandbox.faults.update(changes)
        if refused:
            return oops(f"unknown or ill-typed fault settings: {refused}")
    return reply(sandbox.faults.describe())


async def clock(request: Request) -> Response:
    state = request.app.state.sandbox.state
    if request.method == "POST":
        body = await read_object(request) or {}
        try:
            if "now" in body:
                state.clock.set_now(datetime.fromisoformat(body["now"]))
            elif "offset_s" in body:
                state.clock.offset_s = float(body["offset_s"])
            else:
                return oops('send {"now": ISO time with offset} or {"offset_s": n}')
        except (TypeError, ValueError) as exc:
            return oops(f"cannot set the clock: {exc}")
        state.dirty = True
    return reply(
        {
            "utc": state.clock.now().isoformat(),
            "offset_s": state.clock.offset_s,
            "local": {
                c.code: c.now_text(state.clock) for c in state.companies.values()
            },
        }
    )


async def deliveries(request: Request) -> Response:
    state = request.app.state.sandbox.state
    company = request.query_params.get("company", "").upper()
    rows = [d for d in state.deliveries if not company or d["Company"] == company]
    pending = [
        {"EventId": d["event_id"], "Event": d["event"], "Attempt": d["attempt"]}
        for d in state.pending
        if not company or d["company"] == company
    ]
    return reply({"attempts": rows, "pending": pending})


async def flush_webhooks(request: Request) -> Response:
    return reply({"pending": request.app.state.sandbox.dispatcher.flush()})


routes = [
    Route("/fixture", load_fixture, methods=["POST"]),
    Route("/state", dump_state, methods=["GET"]),
    Route("/faults", faults, methods=["GET", "POST", "DELETE"]),
    Route("/clock", clock, methods=["GET", "POST"]),
    Route("/deliveries", deliveries, methods=["GET"]),
    Route("/webhooks/flush", flush_webhooks, methods=["POST"]),
]
