"""Serving the sandbox: from the command line, or in a thread for tests."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from sandbox.genius.app import ApiShape, GeniusSandbox, create_app
from sandbox.genius.faults import Faults
from sandbox.genius.fixture import load_state, read_fixture
from sandbox.genius.state import SandboxState
from sandbox.serving import serve_app


def initial_state(state_path: Path | None, seed_path: Path | None) -> SandboxState:
    """The saved state when there is one, else the seed fixture, else nothing."""
    if state_path is not None and state_path.exists():
        return load_state(read_fixture(state_path))
    if seed_path is not None:
        state = load_state(read_fixture(seed_path))
        state.dirty = True
        return state
    return SandboxState()


@contextmanager
def serve_in_thread(
    sandbox: GeniusSandbox,
    *,
    host: str = "127.0.0.1",
    certfile: Path | None = None,
    keyfile: Path | None = None,
) -> Iterator[str]:
    """Serve `sandbox` on a free port of `host` (https with a certificate);
    yields its base URL."""
    app = create_app(sandbox)
    with serve_app(app, host=host, certfile=certfile, keyfile=keyfile) as url:
        yield url


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.genius", description="A local Genius ERP."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--state", type=Path, default=Path("data/sandbox/genius.json"))
    parser.add_argument("--seed", type=Path, default=None)
    parser.add_argument("--webhook-backoff-s", type=float, default=30.0)
    parser.add_argument("--webhook-attempts", type=int, default=8)
    parser.add_argument("--rate-limit-per-s", type=int, default=20)
    parser.add_argument("--random-seed", type=int, default=None)
    parser.add_argument("--allow-remote-webhooks", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    faults = Faults(
        rate_limit_per_s=args.rate_limit_per_s,
        webhook_backoff_s=args.webhook_backoff_s,
        webhook_attempts=args.webhook_attempts,
    )
    sandbox = GeniusSandbox(
        initial_state(args.state, args.seed),
        state_path=args.state,
        faults=faults,
        shape=ApiShape(),
        allow_remote_webhooks=args.allow_remote_webhooks,
        random_seed=args.random_seed,
    )
    uvicorn.run(create_app(sandbox), host=args.host, port=args.port, log_level="info")
