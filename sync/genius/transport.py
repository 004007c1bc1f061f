"""Sending one Genius request: rate limit, retries, and errors in our own terms.

The ladder of a call: `request` books a slot of the tenant's rate limit,
`_attempt` sends once and reads the answer, and `_judge` decides between
returning, waiting and trying again, or raising. This is the one place
that catches httpx exceptions; everything leaving it is a sync.errors
class with the Genius answer attached as an `ApiFailure`.

Only calls that are safe to repeat are repeated after the request may have
reached Genius (a timeout while reading, a 500). A create is repeated only
when Genius certainly did not act on it (429, 503, no connection), since
repeating it blindly could make a second quote.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from runtime.logs import get_logger
from sync.errors import (
    ApiErrorDetail,
    ApiFailure,
    AuthorizationNeeded,
    ConnectorError,
    FatalError,
    RateLimited,
    RecordNotFound,
    RecordRejected,
    RetriableError,
    shorten,
)
from sync.genius import jsonio
from sync.ratelimit import RateLimiter

log = get_logger(__name__)

SAFE_TO_REPEAT = {"GET", "PUT", "DELETE", "PATCH"}
NOT_PROCESSED = {429, 503}


@dataclass(frozen=True)
class RetryPolicy:
    """How patient the client is before a failure reaches the caller."""

    attempts: int = 5
    backoff_s: float = 0.5
    # A Retry-After longer than this is handed to the caller (RateLimited),
    # who can park the run instead of holding a worker.
    max_wait_s: float = 60.0


class NotGenius(FatalError):
    """The server answered, but not as a Genius API does (no JSON, wrong shape)."""


class GeniusTransport:
    """Sends requests to one Genius company and translates every failure."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        tenant_id: int | None = None,
        company: str = "",
    ) -> None:
        self.http = http
        self.company = company
        self.limiter = limiter
        self.retry = retry or RetryPolicy()
        self.tenant_id = tenant_id
        self.calls = 0

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """The decoded JSON answer (None for 204), after retries if needed."""
        content = None if body is None else jsonio.dumps(body).encode()
        for attempt in range(1, self.retry.attempts + 1):
            if self.limiter is not None:
                await self.limiter.acquire()
            outcome = await self._attempt(method, path, params, content)
            wait_s = self._judge(method, path, outcome, attempt)
            if wait_s is None:
                return outcome.data
            log.warning(
                "genius.retry",
                method=method,
                path=path,
                status=outcome.status,
                reason=outcome.reason,
                attempt=attempt,
                wait_s=round(wait_s, 2),
            )
            await asyncio.sleep(wait_s)
        raise AssertionError("unreachable: the last attempt raises")

    async def _attempt(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        content: bytes | None,
    ) -> Outcome:
        self.calls += 1
        headers = {"Content-Type": "application/json"} if content is not None else {}
        try:
            response = await self.http.request(
                method, path, params=params, content=content, headers=headers
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            reason = f"cannot connect ({type(exc).__name__})"
            return Outcome(reason=reason, sent=False, cause=exc)
        except httpx.TimeoutException as exc:
            reason = f"no answer in time ({type(exc).__name__})"
            return Outcome(reason=reason, cause=exc)
        except httpx.HTTPError as exc:
            reason = f"the connection failed ({type(exc).__name__})"
            return Outcome(reason=reason, cause=exc)
        return read_outcome(response)

    def _judge(
        self, method: str, path: str, outcome: Outcome, attempt: int
    ) -> float | None:
        """None to return the answer, seconds to wait before retrying; or raise."""
        if outcome.status is not None and outcome.status < 400:
            if outcome.status != 204 and outcome.not_json:
                raise self._error(NotGenius, method, path, outcome)
            return None
        if (
            outcome.status is not None
            and outcome.status < 500
            and outcome.status != 429
        ):
            raise self._client_error(method, path, outcome)

        repeatable = (
            method in SAFE_TO_REPEAT
            or not outcome.sent
            or outcome.status in NOT_PROCESSED
        )
        wait_s = outcome.retry_after_s
        if wait_s is None:
            wait_s = self.retry.backoff_s * 2 ** (attempt - 1)
            wait_s += random.uniform(0, self.retry.backoff_s)
        if (
            not repeatable
            or attempt >= self.retry.attempts
            or wait_s > self.retry.max_wait_s
        ):
            raise self._transient_error(method, path, outcome, wait_s)
        return wait_s

    def _client_error(self, method: str, path: str, outcome: Outcome) -> ConnectorError:
        if outcome.status == 401:
            message = (
                "Genius refused the API key (401): enter a valid key in the "
                "Genius connection settings"
            )
        elif outcome.status == 403:
            message = (
                f"Genius refused company {self.company!r} (403): the API key may "
                "not use it; check the company code or the key's rights in Genius"
            )
        else:
            kind = RecordNotFound if outcome.status == 404 else RecordRejected
            return self._error(kind, method, path, outcome)
        return self._error(
            AuthorizationNeeded, method, path, outcome, message, system="genius"
        )

    def _transient_error(
        self, method: str, path: str, outcome: Outcome, wait_s: float
    ) -> ConnectorError:
        if outcome.status == 429:
            message = (
                f"Genius rate limit on {method} {path}: try again in {wait_s:.0f} s"
            )
            return self._error(
                RateLimited, method, path, outcome, message, retry_after_s=wait_s
            )
        return self._error(RetriableError, method, path, outcome)

    def _error(
        self,
        kind: type[ConnectorError],
        method: str,
        path: str,
        outcome: Outcome,
        message: str = "",
        **extra: Any,
    ) -> ConnectorError:
        failure = outcome.failure(method, path)
        message = message or describe(failure, outcome)
        error = kind(message, tenant_id=self.tenant_id, failure=failure, **extra)
        error.__cause__ = outcome.cause
        return error


@dataclass
class Outcome:
    """One attempt: the answer's status and data, or why there was none."""

    status: int | None = None
    data: Any = None
    reason: str = ""
    sent: bool = True
    not_json: bool = False
    retry_after_s: float | None = None
    correlation_id: str = ""
    excerpt: str = ""
    cause: BaseException | None = None

    def failure(self, method: str, path: str) -> ApiFailure:
        errors = self.data.get("errors", []) if isinstance(self.data, dict) else []
        details = [
            ApiErrorDetail(
                message=str(error.get("message", "")),
                field=str(error.get("field", "")),
                code=str(error.get("code", "")),
            )
            for error in errors
            if isinstance(error, dict)
        ]
        return ApiFailure(
            system="genius",
            method=method,
            path=path,
            status=self.status or 0,
            category=details[0].code if details else self.reason,
            correlation_id=self.correlation_id,
            details=details,
            body_excerpt=self.excerpt,
        )


def read_outcome(response: httpx.Response) -> Outcome:
    outcome = Outcome(
        status=response.status_code,
        retry_after_s=parse_retry_after(response.headers.get("Retry-After")),
        correlation_id=response.headers.get("X-Correlation-Id", ""),
    )
    if response.status_code == 204 or not response.content:
        outcome.not_json = response.status_code != 204
        return outcome
    try:
        outcome.data = jsonio.loads(response.content)
    except ValueError:
        outcome.not_json = True
        outcome.excerpt = response.text[:120]
    return outcome


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def describe(failure: ApiFailure, outcome: Outcome) -> str:
    """A message saying what Genius refused, which fields, and what to do."""
    head = failure.describe() if outcome.status else f"{failure.method} {failure.path}"
    if outcome.status is None:
        return f"Genius {head}: {outcome.reason}; the call will be tried again later"
    if outcome.not_json:
        return (
            f"{head} with something that is not Genius JSON "
            f"({shorten(outcome.excerpt, 60)}); check the Genius URL and API path"
        )
    problems = "; ".join(
        f"{d.field}: {d.message}" if d.field else d.message for d in failure.details
    )
    advice = {
        404: "the record no longer exists in Genius",
        409: "the quote's status forbids this change in Genius",
        422: "correct these values (in HubSpot or in the mapping) and sync again",
    }.get(outcome.status, "try again later")
    if advice in problems.lower():  # Genius's own words may say it already
        return f"{head}: {problems}"
    return f"{head}: {problems or 'no details'}; {advice}"
