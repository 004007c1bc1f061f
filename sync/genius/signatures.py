"""Signing and checking Genius webhook deliveries, and telling who caused them.

Genius signs each delivery with HMAC-SHA256 over `<timestamp>.<raw body>`
using the subscription's shared secret, and sends the Unix timestamp and
`sha256=<hex>` in two headers. A delivery is genuine when the signature
matches and its timestamp is within the window of our clock: an old
delivery replayed by someone who captured it is refused.

Each event also says who made the change (`ChangedBy`); a change made
with an API key names the key's id, derived from the key (`key_id`), so
the connector recognises the echoes of its own writes.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

DEFAULT_WINDOW_S = 300
# Unix seconds stay at 10 digits until the year 2286; anything longer is junk.
MAX_TIMESTAMP_DIGITS = 12


@dataclass(frozen=True)
class DeliveryCheck:
    """The verdict on one delivery; `reason` says why it was refused."""

    ok: bool
    reason: str = ""


def signature_of(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_delivery(
    secret: str, body: bytes, *, timestamp: int | None = None
) -> tuple[str, str]:
    """(timestamp, signature) header values for `body`, signed now by default."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return stamp, signature_of(secret, stamp, body)


def check_delivery(
    secret: str,
    body: bytes,
    *,
    timestamp: str | None,
    signature: str | None,
    window_s: int = DEFAULT_WINDOW_S,
    now_s: float | None = None,
) -> DeliveryCheck:
    """Whether `signature` signs `body` at `timestamp`, within the window."""
    if not secret:
        return DeliveryCheck(False, "no webhook secret is stored for this tenant")
    if not timestamp or not signature:
        return DeliveryCheck(False, "the signature or its timestamp is missing")
    # isdigit() alone admits '²' and other digits int() refuses.
    if not timestamp.isascii() or not timestamp.isdigit():
        return DeliveryCheck(False, f"timestamp {timestamp[:20]!r} is not Unix seconds")
    if len(timestamp) > MAX_TIMESTAMP_DIGITS:
        return DeliveryCheck(False, f"timestamp {timestamp[:20]!r}… is too long")
    now_s = time.time() if now_s is None else now_s
    age_s = now_s - int(timestamp)
    if abs(age_s) > window_s:
        return DeliveryCheck(
            False, f"timestamp is {age_s:.0f} s away from now (limit {window_s} s)"
        )
    expected = signature_of(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        return DeliveryCheck(False, "the signature does not match")
    return DeliveryCheck(True)


def verify_delivery(
    secret: str,
    body: bytes,
    *,
    timestamp: str | None,
    signature: str | None,
    window_s: int = DEFAULT_WINDOW_S,
    now_s: float | None = None,
) -> bool:
    """True when `signature` signs `body` at `timestamp`, within the window."""
    check = check_delivery(
        secret,
        body,
        timestamp=timestamp,
        signature=signature,
        window_s=window_s,
        now_s=now_s,
    )
    return check.ok


def key_id(api_key: str) -> str:
    """The id Genius gives an API key: `K-` and 16 hex digits of its SHA-256.

    One way: it names the key in `ChangedBy` and on `GET /company` without
    revealing it.
    """
    return "K-" + hashlib.sha256(api_key.encode()).hexdigest()[:16]
