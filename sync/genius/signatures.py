"""Signing and checking Genius webhook deliveries.

Genius signs each delivery with HMAC-SHA256 over `<timestamp>.<raw body>`
using the subscription's shared secret, and sends the Unix timestamp and
`sha256=<hex>` in two headers. A delivery is genuine when the signature
matches and its timestamp is within the window of our clock: an old
delivery replayed by someone who captured it is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import time

DEFAULT_WINDOW_S = 300


def signature_of(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_delivery(
    secret: str, body: bytes, *, timestamp: int | None = None
) -> tuple[str, str]:
    """(timestamp, signature) header values for `body`, signed now by default."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return stamp, signature_of(secret, stamp, body)


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
    if not secret or not timestamp or not signature or not timestamp.isdigit():
        return False
    now_s = time.time() if now_s is None else now_s
    if abs(now_s - int(timestamp)) > window_s:
        return False
    expected = signature_of(secret, timestamp, body)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())
