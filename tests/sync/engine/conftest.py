"""Fixtures of the engine tests (defined in engine_fixtures.py)."""

from tests.sync.engine.engine_fixtures import redis, sandboxes, world  # noqa: F401
