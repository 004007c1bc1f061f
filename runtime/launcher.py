"""Start the whole product on one machine: `python -m runtime.launcher [--dev]`.

In order: Redis (REDIS_URL, or the embedded server), the two sandboxes when
SANDBOX_ENABLED, the arq worker, then the Reflex app (portal, event socket and
HTTP API on APP_PORT). Once everything answers, the demo is seeded and the
URLs are printed. Ctrl-C or SIGTERM stops every process, newest first.

Every port and folder comes from the settings, so a test can run a second
stack on free ports with its own DATA_DIR: `launched_stack(data_dir)` does
that, with everything but Reflex (`--no-portal` serves the HTTP API alone).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from connector_app.demo import DemoTenant, seed_demo, seed_operator
from runtime.logs import configure_logging, get_logger
from runtime.processes import ProcessFailed, Supervisor
from runtime.redis_server import embedded_redis_args, free_port
from runtime.settings import ROOT_DIR, Settings, get_settings
from sync.errors import ConnectorError
from sync.queue import QUEUE_NAME

log = get_logger(__name__)

BIN_DIR = Path(sys.executable).parent
JS_BIN_DIR = ROOT_DIR / "tools" / "js" / "node_modules" / ".bin"
CACHE_DIR = ROOT_DIR / ".cache"
FIXTURES_DIR = ROOT_DIR / "sandbox" / "fixtures"
# arq writes this key when a worker of our queue starts, then every hour.
WORKER_HEALTH_KEY = f"{QUEUE_NAME}:health-check"
READY_FILE = "launcher.json"
QUIET_DIRS = ("tests", "docs", "bench", "tools", "sandbox", "hubspot_extension")


@dataclass
class Stack:
    """What a started stack answers on."""

    settings: Settings
    supervisor: Supervisor
    redis_url: str

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.app_port}"


def offline_reflex_env() -> dict[str, str]:
    """Variables that keep Reflex and bun off every host but the npm registry."""
    return {
        "PATH": f"{JS_BIN_DIR}{os.pathsep}{BIN_DIR}{os.pathsep}{os.environ['PATH']}",
        "REFLEX_USE_SYSTEM_BUN": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "DO_NOT_TRACK": "1",
        "NPM_CONFIG_REGISTRY": "https://registry.npmjs.org",
        "REFLEX_DIR": str(CACHE_DIR / "reflex"),
        "BUN_INSTALL_CACHE_DIR": str(CACHE_DIR / "bun"),
    }


def child_env(settings: Settings, redis_url: str) -> dict[str, str]:
    """The environment of every child: ours, with the settings made explicit."""
    env = dict(os.environ)
    env.update(offline_reflex_env())
    env.update(
        {
            "PYTHONUNBUFFERED": "1",
            "APP_ENV": settings.app_env,
            "DATA_DIR": str(settings.data_dir),
            "DATABASE_URL": settings.effective_database_url,
            "REDIS_URL": redis_url,
            "APP_PORT": str(settings.app_port),
            "PUBLIC_URL": settings.public_url,
            "SANDBOX_ENABLED": str(settings.sandbox.enabled).lower(),
            "SANDBOX_HOST": settings.sandbox.host,
            "SANDBOX_HUBSPOT_PORT": str(settings.sandbox.hubspot_port),
            "SANDBOX_GENIUS_PORT": str(settings.sandbox.genius_port),
            "SECRET_KEY": settings.secret_key.get_secret_value(),
            "ENCRYPTION_KEYS": settings.encryption_keys.get_secret_value(),
            "OPERATOR_EMAIL": settings.operator_email,
            "OPERATOR_PASSWORD": settings.operator_password.get_secret_value(),
            "REFLEX_WEB_WORKDIR": str(settings.data_dir / "reflex" / "web"),
            "REFLEX_STATES_WORKDIR": str(settings.data_dir / "reflex" / "states"),
        }
    )
    return env


def apply_migrations(env: dict[str, str]) -> None:
    """`alembic upgrade head` on DATABASE_URL; a no-op when it is up to date."""
    args = [sys.executable, "-m", "alembic", "upgrade", "head"]
    done = subprocess.run(args, env=env, cwd=ROOT_DIR, capture_output=True, text=True)
    if done.returncode != 0:
        raise ProcessFailed(f"the database migrations failed:\n{done.stderr[-2000:]}")


def start_redis(settings: Settings, supervisor: Supervisor) -> str:
    """REDIS_URL when set; otherwise the embedded server, files under data/redis."""
    if settings.redis_url:
        return settings.redis_url
    port = settings.embedded_redis_port
    # Its output goes through the supervisor, to the console and data/logs.
    args = embedded_redis_args(settings.data_dir / "redis", port, log_file=False)
    supervisor.wait_ready(supervisor.start("redis", args, port=port))
    return f"redis://127.0.0.1:{port}/0"


def start_sandboxes(settings: Settings, supervisor: Supervisor, env: dict) -> None:
    """Both simulators, their state kept under data/sandbox/ between runs."""
    state_dir = settings.data_dir / "sandbox"
    state_dir.mkdir(parents=True, exist_ok=True)
    ports = {
        "hubspot": settings.sandbox.hubspot_port,
        "genius": settings.sandbox.genius_port,
    }
    started = []
    for system, port in ports.items():
        args = [sys.executable, "-m", f"sandbox.{system}"]
        args += ["--host", settings.sandbox.host, "--port", str(port)]
        args += ["--state", str(state_dir / f"{system}.json")]
        args += ["--seed", str(FIXTURES_DIR / f"{system}_demo.json")]
        if system == "hubspot":
            # The app's webhooks come to this stack, whatever its public URL.
            args += ["--webhook-url", f"{settings.public_url}/webhooks/hubspot"]
        started.append(supervisor.start(system, args, env=env, cwd=ROOT_DIR, port=port))
    for child in started:
        supervisor.wait_ready(child)


def start_worker(supervisor: Supervisor, env: dict, redis_url: str) -> None:
    """One arq worker; ready once it has written its health-check key."""
    client = redis.Redis.from_url(redis_url)
    client.delete(WORKER_HEALTH_KEY)
    child = supervisor.start(
        "worker", [str(BIN_DIR / "arq"), "sync.worker.WorkerSettings"], env=env
    )
    try:
        for _ in range(300):
            supervisor.check_alive(child)
            if client.exists(WORKER_HEALTH_KEY):
                return
            threading.Event().wait(0.1)
    finally:
        client.close()
    raise ProcessFailed("the arq worker did not report healthy within 30s")


def start_api(settings: Settings, supervisor: Supervisor, env: dict) -> None:
    """The HTTP API alone (no portal), for stacks started by tests."""
    args = [sys.executable, "-m", "uvicorn", "--factory", "connector_app.api:build_api"]
    args += ["--host", "127.0.0.1", "--port", str(settings.app_port)]
    port = settings.app_port
    child = supervisor.start("api", args, env=env, cwd=ROOT_DIR, port=port)
    supervisor.wait_ready(child, http_path="/api/health")


def start_portal(
    settings: Settings, supervisor: Supervisor, env: dict, *, dev: bool = False
) -> None:
    """Reflex: production build on one port, or preview mode with hot reload."""
    port = str(settings.app_port)
    args = [str(BIN_DIR / "reflex"), "run", "--env", "preview" if dev else "prod"]
    args += ["--frontend-port", port, "--backend-port", port]
    args += ["--backend-host", "127.0.0.1", "--loglevel", "info"]
    if dev:
        # Reload on code changes only: the database and logs under DATA_DIR
        # change all the time and would restart the backend in a loop.
        quiet = [settings.data_dir, *(ROOT_DIR / name for name in QUIET_DIRS)]
        env = {
            **env,
            "REFLEX_HOT_RELOAD_EXCLUDE_PATHS": os.pathsep.join(map(str, quiet)),
        }
    child = supervisor.start(
        "portal", args, env=env, cwd=ROOT_DIR, port=settings.app_port
    )
    # A cold frontend install and build can take a few minutes on two cores.
    supervisor.wait_ready(child, timeout_s=600, http_path="/ping")


def busy_ports(settings: Settings) -> list[str]:
    """The ports this stack would listen on that something else holds already."""
    wanted = {"APP_PORT": settings.app_port}
    if not settings.redis_url:
        wanted["EMBEDDED_REDIS_PORT"] = settings.embedded_redis_port
    if settings.sandbox.enabled:
        wanted["SANDBOX_HUBSPOT_PORT"] = settings.sandbox.hubspot_port
        wanted["SANDBOX_GENIUS_PORT"] = settings.sandbox.genius_port
    busy = []
    for name, port in wanted.items():
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                busy.append(f"{name}={port}")
    return busy


def start_services(
    settings: Settings,
    supervisor: Supervisor,
    *,
    portal: bool = True,
    dev: bool = False,
) -> Stack:
    """Start Redis, the sandboxes, the worker and the portal (or the API alone)."""
    # Another stack answering on our ports would pass every readiness check
    # and be taken for ours: refuse to start beside it.
    if busy := busy_ports(settings):
        raise ProcessFailed(
            f"ports in use: {', '.join(busy)}. Another stack is probably running "
            "(stop it with Ctrl-C), or set these variables to free ports and "
            "PUBLIC_URL to match APP_PORT"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    redis_url = start_redis(settings, supervisor)
    env = child_env(settings, redis_url)
    apply_migrations(env)
    if settings.sandbox.enabled:
        start_sandboxes(settings, supervisor, env)
    start_worker(supervisor, env, redis_url)
    if portal:
        start_portal(settings, supervisor, env, dev=dev)
    else:
        start_api(settings, supervisor, env)
    return Stack(settings=settings, supervisor=supervisor, redis_url=redis_url)


def stack_env(data_dir: Path) -> dict[str, str]:
    """Settings for a second stack on free ports, files under `data_dir`.

    It shares this process's database and secrets, so what the stack writes
    can be read here, and the reverse.
    """
    settings = get_settings()
    ports = {
        "APP_PORT": free_port(),
        "EMBEDDED_REDIS_PORT": free_port(),
        "SANDBOX_HUBSPOT_PORT": free_port(),
        "SANDBOX_GENIUS_PORT": free_port(),
    }
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update({name: str(port) for name, port in ports.items()})
    env.update(
        {
            "APP_ENV": "development",
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": settings.effective_database_url,
            "PUBLIC_URL": f"http://127.0.0.1:{ports['APP_PORT']}",
            "SANDBOX_ENABLED": "true",
            "SECRET_KEY": settings.secret_key.get_secret_value(),
            "ENCRYPTION_KEYS": settings.encryption_keys.get_secret_value(),
            "OPERATOR_PASSWORD": settings.operator_password.get_secret_value(),
        }
    )
    return env


@contextmanager
def launched_stack(
    data_dir: Path, *, portal: bool = False, timeout_s: float = 600.0
) -> Iterator[dict[str, Any]]:
    """Run `python -m runtime.launcher` on free ports until the block ends.

    Yields the launcher's ready file: app_url, redis_url, hubspot_url,
    genius_url, tenant_id, operator_email, operator_password. The end sends
    SIGINT, as Ctrl-C would, and waits for every process to stop.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "runtime.launcher"]
    args += [] if portal else ["--no-portal"]
    log_file = (data_dir / "launcher.log").open("w")
    launcher = subprocess.Popen(
        args,
        env=stack_env(data_dir),
        cwd=ROOT_DIR,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    ready = data_dir / READY_FILE
    try:
        deadline = time.monotonic() + timeout_s
        while not ready.exists():
            if launcher.poll() is not None or time.monotonic() > deadline:
                raise ProcessFailed(
                    f"the launcher did not come up; read {data_dir / 'launcher.log'}"
                )
            time.sleep(0.2)
        yield json.loads(ready.read_text())
    finally:
        launcher.send_signal(signal.SIGINT)
        try:
            launcher.wait(timeout=60)
        except subprocess.TimeoutExpired:
            launcher.kill()
        log_file.close()


def write_ready_file(stack: Stack, tenant: DemoTenant | None) -> Path:
    """What a started stack answers on, for scripts and tests (removed on stop)."""
    settings = stack.settings
    path = settings.data_dir / READY_FILE
    document = {
        "pid": os.getpid(),
        "app_url": settings.public_url,
        "redis_url": stack.redis_url,
        "hubspot_url": settings.sandbox_hubspot_url,
        "genius_url": settings.sandbox_genius_url,
        "tenant_id": tenant.id if tenant else None,
        "operator_email": settings.operator_email,
        "operator_password": settings.operator_password.get_secret_value(),
    }
    path.write_text(json.dumps(document, indent=1))
    return path


def print_banner(stack: Stack, tenant: DemoTenant | None) -> None:
    settings = stack.settings
    lines = [
        "",
        "Genius ERP x HubSpot Connector is running",
        f"  portal + API    {settings.public_url}",
        f"  Redis           {stack.redis_url}",
    ]
    if settings.sandbox.enabled:
        lines.append(f"  HubSpot sandbox {settings.sandbox_hubspot_url}")
        lines.append(f"  Genius sandbox  {settings.sandbox_genius_url}")
    if tenant is not None:
        lines.append(f"  demo tenant     {settings.public_url}/tenants/{tenant.id}")
    lines.append(f"  sign in as      {settings.operator_email}")
    lines.append(f"  password        {settings.operator_password.get_secret_value()}")
    lines.append("Press Ctrl-C to stop every process.")
    print("\n".join(lines), flush=True)


def wait_for_stop(supervisor: Supervisor) -> int:
    """Block until Ctrl-C, SIGTERM or SIGHUP (0) or until a child dies (1)."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(0.5):
        dead = supervisor.first_exited()
        if dead is not None:
            log.error("launcher.child_exited", child=dead.name)
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runtime.launcher")
    parser.add_argument("--dev", action="store_true", help="Reflex with hot reload")
    parser.add_argument(
        "--no-portal", action="store_true", help="serve the HTTP API without Reflex"
    )
    options = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(json_logs=settings.json_logs, level=settings.log_level)

    # Signals are ours from here on, so a Ctrl-C during start-up also stops cleanly.
    with Supervisor(log_dir=settings.data_dir / "logs") as supervisor:
        try:
            stack = start_services(
                settings, supervisor, portal=not options.no_portal, dev=options.dev
            )
            seed_operator(settings)
            tenant = None
            if settings.sandbox.enabled:
                tenant = seed_demo(settings, FIXTURES_DIR)
        except (ProcessFailed, ConnectorError, KeyboardInterrupt) as error:
            log.error("launcher.start_failed", reason=str(error) or "interrupted")
            return 1
        ready = write_ready_file(stack, tenant)
        print_banner(stack, tenant)
        code = wait_for_stop(supervisor)
        print("Stopping every process…", flush=True)
        ready.unlink(missing_ok=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
