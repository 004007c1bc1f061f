"""HubSpot's error envelope, raised from handlers and rendered in one place."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class ApiError(Exception):
    """An answer in HubSpot's `Error` shape; handlers raise it, the app renders it."""

    def __init__(
        self,
        status: int,
        category: str,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        context: dict[str, list[str]] | None = None,
        sub_category: str = "",
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.errors = errors
        self.context = context
        self.sub_category = sub_category
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self, correlation_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": "error",
            "message": self.message,
            "correlationId": correlation_id,
        }
        if self.category:
            body["category"] = self.category
        if self.sub_category:
            body["subCategory"] = self.sub_category
        if self.errors:
            body["errors"] = self.errors
        if self.context:
            body["context"] = self.context
        body.update(self.extra)
        return body


def correlation_id() -> str:
    return str(uuid.uuid4())


def render_error(error: ApiError, headers: dict[str, str] | None = None) -> Response:
    cid = correlation_id()
    merged = {"X-HubSpot-Correlation-Id": cid, **(headers or {}), **error.headers}
    return JSONResponse(error.body(cid), status_code=error.status, headers=merged)


def validation_error(message: str, **kwargs: Any) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", message, **kwargs)


def not_found(message: str = "resource not found") -> ApiError:
    return ApiError(404, "OBJECT_NOT_FOUND", message)


def standard_error(
    category: str,
    message: str,
    *,
    context: dict[str, list[str]] | None = None,
    errors: list[dict[str, Any]] | None = None,
    sub_category: str = "",
) -> dict[str, Any]:
    """One failed item inside a 207 batch answer (`StandardError`)."""
    item: dict[str, Any] = {
        "status": "error",
        "category": category,
        "message": message,
        "context": context or {},
        "errors": errors or [],
        "links": {},
    }
    if sub_category:
        item["subCategory"] = sub_category
    return item


async def read_json(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        raise validation_error("Invalid input JSON: the request body is empty")
    try:
        return json.loads(raw, parse_float=Decimal)
    except ValueError:
        raise validation_error(
            "Invalid input JSON on line 1: the body is not valid JSON"
        ) from None


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")
