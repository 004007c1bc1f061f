"""`python -m sandbox.genius` keeps its state in the file across restarts."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from runtime.redis_server import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "sandbox/genius/fixtures/example.json"
HEADERS = {"X-Genius-Api-Key": "demo-genius-key", "X-Genius-Company": "FABDEMO"}


@contextmanager
def running(state: Path, seed: Path | None) -> Iterator[str]:
    port = free_port()
    args = [sys.executable, "-m", "sandbox.genius", "--host", "127.0.0.1"]
    args += ["--port", str(port), "--state", str(state)]
    args += ["--seed", str(seed)] if seed else []
    process = subprocess.Popen(args, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_a_change_survives_a_restart_and_the_seed_is_not_reapplied(tmp_path: Path):
    state = tmp_path / "sandbox" / "genius.json"

    with running(state, EXAMPLE) as url:
        created = httpx.post(
            f"{url}/customers", json={"Name": "Persistant"}, headers=HEADERS
        )
        assert created.status_code == 201
    with running(state, EXAMPLE) as url:
        found = httpx.get(f"{url}/customers/PERSIS", headers=HEADERS)

    assert found.json()["Name"] == "Persistant"
    assert state.exists()


def test_without_state_or_seed_the_sandbox_starts_empty(tmp_path: Path):
    with running(tmp_path / "genius.json", None) as url:
        answer = httpx.get(f"{url}/company", headers=HEADERS)

    assert answer.status_code == 401
