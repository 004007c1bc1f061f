"""Logs carry bound ids and never a token, a key or a query string."""

import io
import json
import logging

import pytest

from runtime.logs import bind_context, clear_context, configure_logging, get_logger


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    configure_logging(json_logs=True, stream=stream)
    clear_context()
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    clear_context()
    configure_logging(json_logs=False)


def test_bound_ids_reach_every_line(json_lines):
    bind_context(tenant_id=7, run_id=42)

    get_logger("test").info("sync_run.started", trigger="manual")
    logging.getLogger("plain").warning("from the standard library")

    first, second = json_lines()
    assert (first["event"], first["tenant_id"], first["run_id"]) == (
        "sync_run.started",
        7,
        42,
    )
    assert (second["tenant_id"], second["run_id"]) == (7, 42)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("access_token", "CKDZ-very-secret"),
        ("refresh_token", "6f18f26a-secret"),
        ("api_key", "demo-genius-key"),
        ("client_secret", "shh"),
        ("authorization", "Bearer CKDZ"),
    ],
    ids=["access", "refresh", "api-key", "client-secret", "header"],
)
def test_secret_fields_are_redacted(json_lines, field, value):
    get_logger("test").info("token.refreshed", **{field: value})

    (line,) = json_lines()
    assert line[field] == "[redacted]"
    assert value not in json.dumps(line)


def test_urls_lose_their_query_string(json_lines):
    get_logger("test").warning(
        "request.failed",
        url="https://api.hubapi.com/crm/v3/objects/deals?hapikey=abc&after=1",
    )

    (line,) = json_lines()
    assert "hapikey" not in line["url"] and "abc" not in line["url"]
    assert line["url"].startswith("https://api.hubapi.com/crm/v3/objects/deals?")
