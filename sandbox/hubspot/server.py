"""Starting the sandbox: from the command line, or in a thread for tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from sandbox.hubspot.app import Sandbox, build_app
from sandbox.hubspot.fixture import build_world, read_document
from sandbox.hubspot.registry import World, default_app
from sandbox.hubspot.world import Portal

DEFAULT_HUB_ID = 62515


def initial_world(state: Path | None, seed: Path | None) -> World:
    """The saved state if there is one, else the seed, else one empty portal."""
    if state is not None and state.exists():
        return build_world(read_document(state))
    if seed is not None:
        return build_world(read_document(seed))
    world = World()
    app = default_app()
    world.apps[app.app_id] = app
    world.add_portal(
        Portal(DEFAULT_HUB_ID, "Sandbox portal", "sandbox-portal.example.com")
    )
    return world


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class RunningSandbox:
    sandbox: Sandbox
    url: str


@contextmanager
def serve_app(
    app: Any, *, host: str = "127.0.0.1", port: int | None = None
) -> Iterator[str]:
    """Serve an ASGI app over real HTTP in a thread; yields its base URL."""
    port = port or free_port(host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"serve-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the server did not start on port {port}")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serve_in_thread(
    sandbox: Sandbox, *, host: str = "127.0.0.1", port: int | None = None
) -> Iterator[RunningSandbox]:
    """Serve `sandbox` on a free loopback port while in the block."""
    with serve_app(build_app(sandbox), host=host, port=port) as url:
        yield RunningSandbox(sandbox, url)
