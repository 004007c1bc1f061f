"""`python -m sandbox.hubspot` as a process: seeded once, its state kept across
a restart, the seed ignored once a state exists."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from runtime.redis_server import free_port, wait_for_port
from tests.sandbox.hubspot.hubspot_sandbox_helpers import (
    HUB_ID,
    api,
    issue_tokens,
    portal_fixture,
)

ROOT = Path(__file__).resolve().parents[3]


@contextmanager
def sandbox_process(state: Path, seed: Path) -> Iterator[str]:
    port = free_port()
    args = [sys.executable, "-m", "sandbox.hubspot", "--port", str(port),
            "--state", str(state), "--seed", str(seed),
            "--webhook-url", "http://127.0.0.1:9/hooks"]  # fmt: skip
    process = subprocess.Popen(args, cwd=ROOT)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_the_state_outlives_the_process_and_the_seed_is_used_once(tmp_path: Path):
    state, seed = tmp_path / "state.json", tmp_path / "seed.json"
    seed.write_text(json.dumps(portal_fixture()))

    with sandbox_process(state, seed) as url:
        issued = issue_tokens(url)
        with api(url, issued["access_token"]) as http:
            made = http.post(
                "/crm/v3/objects/deals", json={"properties": {"dealname": "gardé"}}
            ).json()
    seed.write_text(json.dumps(portal_fixture(deals=1)))  # ignored from now on

    with sandbox_process(state, seed) as url, api(url, issued["access_token"]) as http:
        kept = http.get(f"/crm/v3/objects/deals/{made['id']}")
        listed = http.get("/crm/v3/objects/deals", params={"limit": 100}).json()
        app = httpx.get(f"{url}/_sandbox/state").json()["apps"][0]

    assert kept.status_code == 200 and kept.json()["properties"]["dealname"] == "gardé"
    assert len(listed["results"]) == 4
    assert app["webhookUrl"] == "http://127.0.0.1:9/hooks"
    assert json.loads(state.read_text())["portals"][0]["hubId"] == HUB_ID
