"""The launcher: a whole stack on free ports, seeded once, stopped by Ctrl-C.

These tests run `python -m runtime.launcher --no-portal` (everything but
Reflex; the HTTP API is served alone) against real sandboxes, a real Redis
and a real arq worker, in a temporary DATA_DIR.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from runtime.launcher import READY_FILE, launched_stack, stack_env, start_services
from runtime.processes import ProcessFailed, Supervisor
from runtime.settings import ROOT_DIR, Settings
from store.db import session_scope
from store.models import Tenant
from sync.operators import find_operator

pytestmark = pytest.mark.e2e


def tenants() -> list[Tenant]:
    from sqlmodel import select

    with session_scope() as session:
        return list(session.exec(select(Tenant)))


def test_stack_installs_the_demo_tenant_once_and_reuses_it(db, tmp_path: Path):
    with launched_stack(tmp_path / "data") as first:
        assert httpx.get(f"{first['app_url']}/api/health").status_code == 200
        assert httpx.get(f"{first['genius_url']}/_sandbox/state").status_code == 200
        tenant_id = first["tenant_id"]
        assert tenant_id is not None
        operator = find_operator(first["operator_email"], first["operator_password"])
        assert operator is not None

    [tenant] = tenants()
    assert tenant.id == tenant_id
    assert tenant.hub_id == "4815162"
    assert tenant.genius_company == "USINAGEBC"
    assert tenant.genius_base_url == first["genius_url"]

    # A second start finds the sandboxes' saved state and the same tenant.
    with launched_stack(tmp_path / "data") as second:
        assert second["tenant_id"] == tenant_id
    assert [t.id for t in tenants()] == [tenant_id]


def test_ctrl_c_stops_every_process(db, tmp_path: Path):
    data_dir = tmp_path / "data"
    env = stack_env(data_dir)
    env["SANDBOX_ENABLED"] = "false"
    launcher = subprocess.Popen(
        [sys.executable, "-m", "runtime.launcher", "--no-portal"],
        env=env,
        cwd=ROOT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (data_dir / READY_FILE).exists():
            assert launcher.poll() is None, launcher.stdout.read()
            assert time.monotonic() < deadline, "the launcher did not come up"
            time.sleep(0.2)
        ready = json.loads((data_dir / READY_FILE).read_text())
        descendants = psutil.Process(launcher.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in descendants)
        assert "redis-server" in names and "sync.worker" in names
        assert "connector_app.api" in names and ready["tenant_id"] is None

        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=60) == 0
    finally:
        if launcher.poll() is None:
            launcher.kill()

    output = launcher.stdout.read()
    assert "Press Ctrl-C" in output
    survivors = [p for p in descendants if p.is_running() and p.status() != "zombie"]
    assert survivors == []
    assert not (data_dir / READY_FILE).exists()


def test_a_child_that_dies_stops_the_stack(db, tmp_path: Path):
    data_dir = tmp_path / "data"
    env = stack_env(data_dir)
    env["SANDBOX_ENABLED"] = "false"
    launcher = subprocess.Popen(
        [sys.executable, "-m", "runtime.launcher", "--no-portal"],
        env=env,
        cwd=ROOT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not (data_dir / READY_FILE).exists():
            assert launcher.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        worker = next(
            p
            for p in psutil.Process(launcher.pid).children(recursive=True)
            if "sync.worker" in " ".join(p.cmdline())
        )
        os.kill(worker.pid, signal.SIGKILL)
        assert launcher.wait(timeout=60) == 1
    finally:
        if launcher.poll() is None:
            launcher.kill()


def test_a_second_stack_on_the_same_ports_refuses_to_start(tmp_path):
    """Something already answering on APP_PORT would pass every readiness check."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        settings = Settings(app_port=taken, data_dir=tmp_path)
        settings.sandbox.enabled = False

        with (
            Supervisor(log_dir=tmp_path) as supervisor,
            pytest.raises(ProcessFailed, match=f"APP_PORT={taken}"),
        ):
            start_services(settings, supervisor, portal=False)

        assert not supervisor.children
