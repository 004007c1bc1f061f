"""The supervisor: children in their own groups, readiness, and a clean stop."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import psutil
import pytest

from runtime.processes import ProcessFailed, Supervisor
from runtime.redis_server import free_port

PY = sys.executable


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_for_children(pid: int, count: int) -> list[psutil.Process]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = psutil.Process(pid).children(recursive=True)
        if len(children) >= count:
            return children
        time.sleep(0.05)
    raise AssertionError(f"process {pid} did not start {count} children")


def test_stop_all_ends_grandchildren_too(tmp_path: Path):
    supervisor = Supervisor(stream=io.StringIO())
    child = supervisor.start("shell", ["sh", "-c", "sleep 300 & sleep 300 & wait"])
    grandchildren = wait_for_children(child.pid, 2)

    supervisor.stop_all()

    assert gone(child.pid)
    assert all(gone(p.pid) for p in grandchildren)
    assert supervisor.children == []


def test_a_child_that_ignores_sigterm_is_killed():
    stubborn = (
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('up', flush=True)\n"
        "time.sleep(300)\n"
    )
    output = io.StringIO()
    supervisor = Supervisor(stream=output, stop_timeout_s=0.5)
    child = supervisor.start("stubborn", [PY, "-c", stubborn])
    deadline = time.monotonic() + 10
    while "up" not in output.getvalue() and time.monotonic() < deadline:
        time.sleep(0.05)

    started = time.monotonic()
    supervisor.stop_all()
    assert gone(child.pid)
    assert time.monotonic() - started < 5


def test_children_stop_newest_first(tmp_path: Path):
    record = tmp_path / "stopped.txt"
    script = (
        "import signal, sys, time\n"
        "def stop(*_):\n"
        f"    open({str(record)!r}, 'a').write(sys.argv[1] + '\\n')\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "print('ready', flush=True)\n"
        "time.sleep(300)\n"
    )
    output = io.StringIO()
    with Supervisor(stream=output) as supervisor:
        for name in ("redis", "worker", "portal"):
            supervisor.start(name, [PY, "-c", script, name])
        deadline = time.monotonic() + 10
        while output.getvalue().count("ready") < 3 and time.monotonic() < deadline:
            time.sleep(0.05)

    assert record.read_text().split() == ["portal", "worker", "redis"]


def test_output_is_prefixed_and_logged(tmp_path: Path):
    output = io.StringIO()
    supervisor = Supervisor(stream=output, log_dir=tmp_path / "logs")
    child = supervisor.start("echoer", [PY, "-c", "print('bonjour Montréal')"])
    child.popen.wait(timeout=10)
    supervisor.stop_all()

    assert "[echoer] bonjour Montréal" in output.getvalue()
    assert (tmp_path / "logs" / "echoer.log").read_text() == "bonjour Montréal\n"


def test_wait_ready_waits_for_http_200():
    port = free_port()
    server = [PY, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    with Supervisor(stream=io.StringIO()) as supervisor:
        child = supervisor.start("web", server, port=port)
        supervisor.wait_ready(child, timeout_s=20, http_path="/")
        assert child.is_running()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            [PY, "-c", "raise SystemExit(3)"], "exited with code 3", id="exits"
        ),
        pytest.param(
            [PY, "-c", "import time; time.sleep(30)"],
            "did not answer",
            id="never-listens",
        ),
    ],
)
def test_wait_ready_reports_a_child_that_never_answers(args, message):
    with Supervisor(stream=io.StringIO()) as supervisor:
        child = supervisor.start("broken", args, port=free_port())
        with pytest.raises(ProcessFailed, match=message) as raised:
            supervisor.wait_ready(child, timeout_s=1.5)
        assert "broken" in str(raised.value)


def test_first_exited_names_the_dead_child():
    with Supervisor(stream=io.StringIO()) as supervisor:
        supervisor.start("alive", [PY, "-c", "import time; time.sleep(30)"])
        dead = supervisor.start("short", [PY, "-c", "pass"])
        dead.popen.wait(timeout=10)
        assert supervisor.first_exited() is dead
