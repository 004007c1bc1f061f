"""Fixtures of the engine tests (defined in engine_fixtures.py)."""

from tests.sync.engine.engine_fixtures import sandboxes, world  # noqa: F401
