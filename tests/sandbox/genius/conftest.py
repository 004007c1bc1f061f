"""A Genius sandbox served over real HTTP on a free port, fresh for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.genius.app import GeniusSandbox
from sandbox.genius.faults import Faults
from sandbox.genius.fixture import load_state, read_fixture
from sandbox.genius.server import serve_in_thread

EXAMPLE = Path(__file__).resolve().parents[3] / "sandbox/genius/fixtures/example.json"
KEY = "demo-genius-key"
COMPANY = "FABDEMO"


@pytest.fixture
def sandbox(tmp_path: Path) -> GeniusSandbox:
    faults = Faults(webhook_backoff_s=0.05, webhook_attempts=4, rate_limit_per_s=1000)
    return GeniusSandbox(
        load_state(read_fixture(EXAMPLE)),
        state_path=tmp_path / "genius.json",
        faults=faults,
        random_seed=7,
    )


@pytest.fixture
def sandbox_url(sandbox: GeniusSandbox) -> Iterator[str]:
    with serve_in_thread(sandbox) as url:
        yield url


@pytest.fixture
def erp(sandbox_url: str) -> Iterator[httpx.Client]:
    """Plain HTTP to the sandbox's API with valid credentials."""
    headers = {"X-Genius-Api-Key": KEY, "X-Genius-Company": COMPANY}
    with httpx.Client(base_url=f"{sandbox_url}/api/v1", headers=headers) as client:
        yield client


@pytest.fixture
def admin(sandbox_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{sandbox_url}/_sandbox") as client:
        yield client
