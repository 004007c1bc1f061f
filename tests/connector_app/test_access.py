"""Signed access tokens: what keeps an operator signed in across reloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector_app.access import TOKEN_TTL, issue_token, read_token

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def tamper(token: str) -> str:
    payload, signature = token.split(".")
    return payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature


@pytest.mark.parametrize(
    ("make", "read_at", "expected"),
    [
        pytest.param(
            lambda: issue_token("a@x.ca", now=NOW, key="k1"),
            NOW,
            "a@x.ca",
            id="genuine",
        ),
        pytest.param(
            lambda: issue_token("a@x.ca", now=NOW, key="k1"),
            NOW + TOKEN_TTL - timedelta(seconds=1),
            "a@x.ca",
            id="just-before-expiry",
        ),
        pytest.param(
            lambda: issue_token("a@x.ca", now=NOW, key="k1"),
            NOW + TOKEN_TTL,
            None,
            id="expired",
        ),
        pytest.param(
            lambda: issue_token("a@x.ca", now=NOW, key="other"),
            NOW,
            None,
            id="signed-with-another-key",
        ),
        pytest.param(
            lambda: tamper(issue_token("a@x.ca", now=NOW, key="k1")),
            NOW,
            None,
            id="payload-changed",
        ),
        pytest.param(lambda: "", NOW, None, id="empty"),
        pytest.param(lambda: "no-dot-here", NOW, None, id="no-signature"),
        pytest.param(lambda: "e30.", NOW, None, id="empty-signature"),
    ],
)
def test_read_token_accepts_only_genuine_unexpired_tokens(make, read_at, expected):
    assert read_token(make(), now=read_at, key="k1") == expected


def test_token_signed_with_garbage_payload_is_refused():
    from connector_app.access import _sign

    payload = "bm90LWpzb24"  # base64 of "not-json"
    assert read_token(f"{payload}.{_sign(payload, 'k1')}", now=NOW, key="k1") is None


def test_default_key_is_the_settings_secret(db):
    token = issue_token("ops@example.com")
    assert read_token(token) == "ops@example.com"
