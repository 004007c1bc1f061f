"""Wrong passwords are limited per email through a real Redis.

After five failures within the window the email is locked, for an operator's
address and an unknown one alike, even for the right password, until the
lockout ends. Each failure and each lockout is logged without the password.
The sign-in page shows the lock's message, and a Redis that does not answer
keeps sign-in closed.
"""

from __future__ import annotations

import io
import json
import threading
import time

import pytest

from connector_app.states.signin import NO_MATCH, SignInState
from runtime.logs import clear_context, configure_logging
from runtime.redis_server import free_port
from runtime.settings import get_settings
from sync.errors import RateLimited, RetriableError
from sync.operators import SignInPolicy, authenticate, ensure_operator
from tests.connector_app.conftest import make_state

EMAIL = "ops@example.com"
PASSWORD = "s3cret!"
WRONG = "hunter2-but-wrong"


@pytest.fixture
def operator(db, redis):
    ensure_operator(EMAIL, PASSWORD)


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    configure_logging(json_logs=True, stream=stream)
    clear_context()
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    configure_logging(json_logs=False)


def attempt(email: str, password: str, **kwargs) -> str:
    """`ok`, `no match` or `locked`: what one sign-in attempt answered."""
    try:
        operator = authenticate(email, password, **kwargs)
    except RateLimited as error:
        assert "try again after" in error.message and "UTC" in error.message
        assert 0 < error.retry_after_s <= 15 * 60
        return "locked"
    return "no match" if operator is None else "ok"


@pytest.mark.parametrize(
    "email",
    [
        pytest.param(EMAIL, id="an-operator"),
        pytest.param("nobody@example.com", id="an-unknown-email"),
        pytest.param(" OPS@Example.com ", id="same-operator-spelled-otherwise"),
    ],
)
def test_the_fifth_failure_locks_the_email_even_for_the_right_password(operator, email):
    answers = [attempt(email, WRONG) for _ in range(5)]
    assert answers == ["no match"] * 4 + ["locked"]

    assert attempt(email, PASSWORD) == "locked"
    assert attempt("colleague@example.com", WRONG) == "no match"


def test_other_emails_sign_in_while_one_is_locked(operator):
    for _ in range(5):
        attempt("nobody@example.com", WRONG)
    assert attempt(EMAIL, PASSWORD) == "ok"


@pytest.mark.parametrize(
    ("first", "wait_s", "then", "expected"),
    [
        pytest.param(5, 1.2, PASSWORD, "ok", id="lock-ends-after-the-lockout"),
        pytest.param(4, 1.2, WRONG, "no match", id="old-failures-leave-the-window"),
        pytest.param(4, 0, PASSWORD, "ok", id="four-failures-leave-the-door-open"),
    ],
)
def test_failures_and_locks_expire(operator, first, wait_s, then, expected):
    policy = SignInPolicy(max_failures=5, window_s=1, lockout_s=1)
    for _ in range(first):
        attempt(EMAIL, WRONG, policy=policy)
    time.sleep(wait_s)
    assert attempt(EMAIL, then, policy=policy) == expected


def test_a_success_clears_earlier_failures(operator):
    assert [attempt(EMAIL, WRONG) for _ in range(4)] == ["no match"] * 4
    assert attempt(EMAIL, PASSWORD) == "ok"
    assert [attempt(EMAIL, WRONG) for _ in range(4)] == ["no match"] * 4


def test_parallel_guesses_cannot_pass_the_limit(operator, log_lines):
    answers: list[str] = []
    threads = [
        threading.Thread(target=lambda: answers.append(attempt(EMAIL, WRONG)))
        for _ in range(12)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers.count("no match") + answers.count("locked") == 12
    assert answers.count("no match") <= 5
    failures = [line for line in log_lines() if line["event"].endswith("_failed")]
    assert len(failures) <= 5
    assert attempt(EMAIL, PASSWORD) == "locked"


def test_failures_and_the_lockout_are_logged_without_the_password(operator, log_lines):
    for _ in range(6):
        attempt(EMAIL, WRONG)

    lines = [line for line in log_lines() if line["event"].startswith("operator.")]
    assert [line["event"] for line in lines] == ["operator.signin_failed"] * 5 + [
        "operator.signin_locked"
    ]
    assert {line["level"] for line in lines} == {"warning"}
    assert {line["email"] for line in lines} == {EMAIL}
    assert lines[-1]["lockout_s"] == 15 * 60
    assert WRONG not in json.dumps(log_lines())


async def test_the_sign_in_page_says_when_to_come_back(operator):
    state = make_state(SignInState, signed_in_as=None)
    wrong = {"email": EMAIL, "password": WRONG}
    for _ in range(4):
        await SignInState.submit.fn(state, wrong)
        assert state.error == NO_MATCH

    await SignInState.submit.fn(state, wrong)
    assert "Too many failed sign-ins for this email" in state.error

    right = {"email": EMAIL, "password": PASSWORD}
    assert await SignInState.submit.fn(state, right) is None
    assert "try again after" in state.error
    assert state.access_token == ""


async def test_sign_in_stays_closed_when_redis_does_not_answer(
    db, monkeypatch: pytest.MonkeyPatch
):
    ensure_operator(EMAIL, PASSWORD)
    monkeypatch.setattr(
        get_settings(), "redis_url", f"redis://127.0.0.1:{free_port()}/0"
    )
    with pytest.raises(RetriableError, match="sign-in is unavailable"):
        authenticate(EMAIL, PASSWORD)

    state = make_state(SignInState, signed_in_as=None)
    await SignInState.submit.fn(state, {"email": EMAIL, "password": PASSWORD})
    assert "sign-in is unavailable" in state.error
    assert state.access_token == ""
