"""A small supervisor for the processes the launcher starts.

Each child runs in its own process group (a new session), so a Ctrl-C in the
terminal reaches only the launcher, which then stops the children itself, in
reverse order of start: the portal before the worker, the worker before Redis.
Stopping signals the whole group, so the grandchildren a child spawns (Reflex's
granian workers, bun) go with it and nothing survives the launcher.

Every line a child prints is echoed with its name as a prefix, and also kept
in `<log_dir>/<name>.log` when a log folder is given.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from runtime.redis_server import wait_for_port


class ProcessFailed(RuntimeError):
    """A supervised process exited, or never became ready."""


@dataclass
class ManagedProcess:
    """One child: its name, its Popen and the port it answers on, if any."""

    name: str
    popen: subprocess.Popen[bytes]
    port: int | None = None
    echo: threading.Thread | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def is_running(self) -> bool:
        return self.popen.poll() is None


class Supervisor:
    """Starts named children, waits until they answer, stops them all."""

    def __init__(
        self,
        *,
        log_dir: Path | None = None,
        stream: IO[str] | None = None,
        stop_timeout_s: float = 15.0,
    ) -> None:
        self.log_dir = log_dir
        self.stream = stream if stream is not None else sys.stdout
        self.stop_timeout_s = stop_timeout_s
        self.children: list[ManagedProcess] = []
        self._write_lock = threading.Lock()
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop_all()

    def start(
        self,
        name: str,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        port: int | None = None,
    ) -> ManagedProcess:
        """Start `args` as `name` in a process group of its own."""
        popen = subprocess.Popen(
            list(args),
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        child = ManagedProcess(name=name, popen=popen, port=port)
        child.echo = threading.Thread(
            target=self._echo_output, args=(child,), name=f"echo-{name}", daemon=True
        )
        child.echo.start()
        self.children.append(child)
        return child

    def _echo_output(self, child: ManagedProcess) -> None:
        log_file = None
        if self.log_dir is not None:
            log_file = (self.log_dir / f"{child.name}.log").open("a", encoding="utf-8")
        prefix = f"[{child.name}] "
        assert child.popen.stdout is not None
        for raw in iter(child.popen.stdout.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip()
            with self._write_lock:
                self.stream.write(prefix + line + "\n")
                self.stream.flush()
            if log_file is not None:
                log_file.write(line + "\n")
                log_file.flush()
        if log_file is not None:
            log_file.close()

    def wait_ready(
        self,
        child: ManagedProcess,
        *,
        timeout_s: float = 60.0,
        http_path: str | None = None,
    ) -> None:
        """Wait until the child's port accepts connections (and `http_path` is 200)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.check_alive(child)
            if child.port is None or self._answers(child.port, http_path):
                return
            time.sleep(0.2)
        raise ProcessFailed(
            f"{child.name} did not answer on port {child.port} within {timeout_s}s; "
            f"read its output above (or its log under {self.log_dir})"
        )

    def _answers(self, port: int, http_path: str | None) -> bool:
        try:
            wait_for_port(port, timeout_s=0.2)
        except TimeoutError:
            return False
        if http_path is None:
            return True
        try:
            response = httpx.get(f"http://127.0.0.1:{port}{http_path}", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def check_alive(self, child: ManagedProcess) -> None:
        code = child.popen.poll()
        if code is not None:
            raise ProcessFailed(
                f"{child.name} exited with code {code}; read its output above"
            )

    def first_exited(self) -> ManagedProcess | None:
        """The first child that is no longer running, if any."""
        return next((c for c in self.children if not c.is_running()), None)

    def stop_all(self) -> None:
        """Stop every child, newest first; SIGKILL the groups that linger."""
        for child in reversed(self.children):
            self._stop(child)
        self.children.clear()

    def _stop(self, child: ManagedProcess) -> None:
        self._signal_group(child, signal.SIGTERM)
        try:
            child.popen.wait(timeout=self.stop_timeout_s)
        except subprocess.TimeoutExpired:
            self._signal_group(child, signal.SIGKILL)
            child.popen.wait(timeout=5)
        # The leader is gone; any straggler of its group is ended too.
        self._signal_group(child, signal.SIGKILL)
        if child.echo is not None:
            child.echo.join(timeout=2)

    @staticmethod
    def _signal_group(child: ManagedProcess, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signum)
