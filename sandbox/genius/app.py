"""The sandbox as a Starlette app: the Genius API plus the `/_sandbox/` admin.

`create_app` takes a state (from a fixture or a state file) and serves it.
The state is saved to `state_path` at most once a second after a change
and at shutdown; webhook deliveries run in the background meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount

from sandbox.genius import admin, api
from sandbox.genius.faults import FaultGate, Faults
from sandbox.genius.state import SandboxState
from sandbox.genius.webhooks import Dispatcher


@dataclass(frozen=True)
class ApiShape:
    """Where the API lives and which headers carry the credentials.

    Real installations differ here; the sandbox can imitate one that does.
    """

    prefix: str = "/api/v1"
    key_header: str = "X-Genius-Api-Key"
    company_header: str = "X-Genius-Company"


class GeniusSandbox:
    """The running sandbox: its state, its faults and its webhook dispatcher."""

    def __init__(
        self,
        state: SandboxState,
        *,
        state_path: Path | None = None,
        faults: Faults | None = None,
        shape: ApiShape | None = None,
        allow_remote_webhooks: bool = False,
        random_seed: int | None = None,
    ) -> None:
        self.state = state
        self.state_path = state_path
        self.default_faults = faults or Faults()
        self.faults = Faults(**self.default_faults.describe())
        self.shape = shape or ApiShape()
        self.allow_remote_webhooks = allow_remote_webhooks
        rng = random.Random(random_seed)
        self.gate = FaultGate(self.faults, rng)
        self.dispatcher = Dispatcher(state, self.faults, rng)

    def replace_state(self, state: SandboxState) -> None:
        """Serve `state` from now on (the dispatcher follows it)."""
        self.state = state
        self.dispatcher.state = state
        state.dirty = True

    def reset_faults(self) -> None:
        for key, value in self.default_faults.describe().items():
            setattr(self.faults, key, value)

    def save_if_dirty(self) -> None:
        if self.state_path is not None and self.state.dirty:
            self.state.save(self.state_path)

    async def keep_saved(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.save_if_dirty()


def create_app(sandbox: GeniusSandbox) -> Starlette:
    """The ASGI app serving `sandbox`."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(sandbox.dispatcher.run()),
            asyncio.create_task(sandbox.keep_saved()),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            sandbox.save_if_dirty()

    app = Starlette(
        routes=[
            Mount("/_sandbox", routes=admin.routes),
            Mount(sandbox.shape.prefix, routes=api.routes),
        ],
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app
