"""Webhook signatures: genuine deliveries pass, anything altered or stale does not."""

from __future__ import annotations

import pytest

from sandbox.genius.state import key_id as sandbox_key_id
from sandbox.genius.webhooks import sign as sandbox_sign
from sync.genius.signatures import (
    check_delivery,
    key_id,
    sign_delivery,
    verify_delivery,
)

SECRET = "s3cret-shared-with-genius-0123456"
BODY = b'{"EventId":"e1","Event":"quote.updated","Data":{"Number":"S-000001"}}'
NOW = 1_790_000_000


def test_our_signature_matches_the_one_genius_sends():
    timestamp, signature = sign_delivery(SECRET, BODY, timestamp=NOW)

    assert timestamp == str(NOW)
    assert signature == sandbox_sign(SECRET, NOW, BODY)


@pytest.mark.parametrize(
    ("changes", "genuine"),
    [
        pytest.param({}, True, id="genuine"),
        pytest.param({"now_s": NOW + 299}, True, id="late-within-window"),
        pytest.param({"now_s": NOW - 299}, True, id="clock-behind-within-window"),
        pytest.param({"now_s": NOW + 301}, False, id="replayed-too-late"),
        pytest.param({"now_s": NOW - 301}, False, id="from-the-future"),
        pytest.param(
            {"body": BODY.replace(b"S-000001", b"S-000002")}, False, id="body-altered"
        ),
        pytest.param({"secret": "another-secret"}, False, id="other-secret"),
        pytest.param({"timestamp": str(NOW + 1)}, False, id="timestamp-altered"),
        pytest.param({"timestamp": None}, False, id="no-timestamp"),
        pytest.param({"timestamp": "12e9"}, False, id="timestamp-not-a-number"),
        pytest.param({"signature": None}, False, id="no-signature"),
        pytest.param({"signature": "strip-prefix"}, False, id="bare-hex"),
        pytest.param({"secret": ""}, False, id="no-secret-stored"),
    ],
)
def test_a_delivery_is_genuine_only_when_nothing_changed(changes, genuine):
    timestamp, signature = sign_delivery(SECRET, BODY, timestamp=NOW)
    if changes.get("signature") == "strip-prefix":
        changes["signature"] = signature.removeprefix("sha256=")
    arguments = {
        "secret": SECRET,
        "body": BODY,
        "timestamp": timestamp,
        "signature": signature,
        "now_s": NOW,
    } | changes

    assert (
        verify_delivery(arguments.pop("secret"), arguments.pop("body"), **arguments)
        is genuine
    )


@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [
        pytest.param("9" * 5000, "too long", id="5000-digits"),
        pytest.param("9" * 400, "too long", id="400-digits-past-a-float"),
        pytest.param("1" * 13, "too long", id="milliseconds-by-mistake"),
        pytest.param("\u00b2", "not Unix seconds", id="superscript-two"),
        pytest.param("\u0661" * 10, "not Unix seconds", id="arabic-indic-digits"),
        pytest.param("-1790000000", "not Unix seconds", id="negative"),
        pytest.param("", "missing", id="empty"),
    ],
)
def test_a_junk_timestamp_is_refused_with_its_reason(timestamp, reason):
    _, signature = sign_delivery(SECRET, BODY, timestamp=NOW)

    check = check_delivery(
        SECRET, BODY, timestamp=timestamp, signature=signature, now_s=NOW
    )

    assert not check.ok
    assert reason in check.reason
    assert len(check.reason) < 100


@pytest.mark.parametrize(
    "api_key",
    [
        pytest.param("demo-genius-key", id="sandbox-key"),
        pytest.param("Zr9-4kQ_x8Wm2TnLp0Vb7cYe", id="random-key"),
        pytest.param("clé-à-accents", id="non-ascii-key"),
    ],
)
def test_our_key_id_is_the_one_genius_writes(api_key):
    assert key_id(api_key) == sandbox_key_id(api_key)
    assert key_id(api_key).startswith("K-")
    assert api_key not in key_id(api_key)
