"""Structured logging for every process: JSON in production, readable in development.

Log lines carry the ids bound with `bind_context` (tenant, run, job). A
redaction step runs last on every line: values of secret-looking keys are
replaced and URLs lose their query string, so a token, key or full query
string never reaches a log, whatever a caller passes.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, TextIO

import structlog

SECRET_KEY_PATTERN = re.compile(
    r"(token|secret|password|api_?key|authorization|cookie|code_verifier|signature)",
    re.IGNORECASE,
)
URL_QUERY_PATTERN = re.compile(r"(https?://[^\s?#]+)\?[^\s#]*")
REDACTED = "[redacted]"


def redact_value(key: str, value: Any) -> Any:
    if SECRET_KEY_PATTERN.search(key) and value not in (None, ""):
        return REDACTED
    if isinstance(value, str):
        return URL_QUERY_PATTERN.sub(r"\1?[query removed]", value)
    if isinstance(value, dict):
        return {k: redact_value(str(k), v) for k, v in value.items()}
    return value


def redact(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: scrub secrets and query strings from a log line."""
    return {key: redact_value(key, value) for key, value in event_dict.items()}


def configure_logging(
    *, json_logs: bool, level: str = "INFO", stream: TextIO | None = None
) -> None:
    """Route structlog and the standard library through one renderer."""
    stream = stream or sys.stderr
    renderer = (
        structlog.processors.JSONRenderer()
        if json_logs
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            redact,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request with its full URL; our clients log their own calls.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def bind_context(**ids: Any) -> None:
    """Attach ids (tenant_id, run_id, job_id) to every later line of this task."""
    structlog.contextvars.bind_contextvars(**ids)


def clear_context() -> None:
    structlog.contextvars.clear_contextvars()


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
