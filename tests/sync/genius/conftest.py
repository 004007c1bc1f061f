"""A fresh Genius sandbox over real HTTP, and clients of the product pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.genius.app import ApiShape, GeniusSandbox
from sandbox.genius.faults import Faults
from sandbox.genius.fixture import load_state, read_fixture
from sandbox.genius.server import serve_in_thread
from sync.genius.addresses import AddressPolicy
from sync.genius.client import GeniusClient
from sync.genius.transport import RetryPolicy

EXAMPLE = Path(__file__).resolve().parents[3] / "sandbox/genius/fixtures/example.json"
KEY = "demo-genius-key"
COMPANY = "FABDEMO"
FAST_RETRY = RetryPolicy(attempts=4, backoff_s=0.01, max_wait_s=5)
DEVELOPMENT = AddressPolicy(production=False)


@pytest.fixture
def shape() -> ApiShape:
    return ApiShape()


@pytest.fixture
def sandbox(shape: ApiShape) -> GeniusSandbox:
    faults = Faults(webhook_backoff_s=0.05, webhook_attempts=4, rate_limit_per_s=1000)
    state = load_state(read_fixture(EXAMPLE))
    return GeniusSandbox(state, faults=faults, shape=shape, random_seed=3)


@pytest.fixture
def sandbox_url(sandbox: GeniusSandbox) -> Iterator[str]:
    with serve_in_thread(sandbox) as url:
        yield url


@pytest.fixture
def admin(sandbox_url: str) -> Iterator[httpx.Client]:
    """The sandbox's own admin endpoints (faults, clock)."""
    with httpx.Client(base_url=f"{sandbox_url}/_sandbox") as client:
        yield client


@pytest.fixture
def erp(sandbox_url: str) -> Iterator[httpx.Client]:
    """Plain HTTP to the sandbox, for changes made "by someone in Genius"."""
    headers = {"X-Genius-Api-Key": KEY, "X-Genius-Company": COMPANY}
    with httpx.Client(base_url=f"{sandbox_url}/api/v1", headers=headers) as client:
        yield client


@pytest.fixture
def make_client(sandbox_url: str) -> Callable[..., GeniusClient]:
    def make(**options: Any) -> GeniusClient:
        options = {"retry": FAST_RETRY, "policy": DEVELOPMENT} | options
        return GeniusClient(
            options.pop("base_url", sandbox_url),
            options.pop("company", COMPANY),
            options.pop("api_key", KEY),
            **options,
        )

    return make


@pytest.fixture
async def genius(
    make_client: Callable[..., GeniusClient],
) -> AsyncIterator[GeniusClient]:
    async with make_client() as client:
        yield client
