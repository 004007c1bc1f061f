"""Starting the sandbox: from the command line, or in a thread for tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sandbox.hubspot.app import Sandbox, build_app
from sandbox.hubspot.fixture import build_world, read_document
from sandbox.hubspot.registry import World, default_app
from sandbox.hubspot.world import Portal
from sandbox.serving import serve_app

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


@dataclass
class RunningSandbox:
    sandbox: Sandbox
    url: str


@contextmanager
def serve_in_thread(
    sandbox: Sandbox, *, host: str = "127.0.0.1", port: int | None = None
) -> Iterator[RunningSandbox]:
    """Serve `sandbox` on a free loopback port while in the block."""
    with serve_app(build_app(sandbox), host=host, port=port) as url:
        yield RunningSandbox(sandbox, url)
