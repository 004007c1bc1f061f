"""Signed access tokens that keep an operator signed in to the portal.

The token lives in the browser's local storage, so a reload, a new tab or a
restart of the backend keeps the operator signed in until it expires. It is
`<payload>.<signature>`: the payload names the operator and the expiry, the
signature is an HMAC-SHA256 with SECRET_KEY, so changing the key signs
everyone out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

from runtime.settings import get_settings
from store.types import utcnow

TOKEN_TTL = timedelta(hours=12)


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload: str, key: str) -> str:
    digest = hmac.new(key.encode(), payload.encode(), hashlib.sha256).digest()
    return _encode(digest)


def _key() -> str:
    return get_settings().secret_key.get_secret_value()


def issue_token(email: str, *, now: datetime | None = None, key: str = "") -> str:
    """A token for `email`, valid for TOKEN_TTL from `now`."""
    expires = (now or utcnow()) + TOKEN_TTL
    body = json.dumps({"sub": email, "exp": int(expires.timestamp())})
    payload = _encode(body.encode())
    return f"{payload}.{_sign(payload, key or _key())}"


def read_token(token: str, *, now: datetime | None = None, key: str = "") -> str | None:
    """The operator's email when `token` is genuine and unexpired, else None."""
    payload, _, signature = token.partition(".")
    if not payload or not signature:
        return None
    if not hmac.compare_digest(signature, _sign(payload, key or _key())):
        return None
    try:
        claims = json.loads(_decode(payload))
        email, expires = str(claims["sub"]), int(claims["exp"])
    except (ValueError, KeyError, TypeError):
        return None
    if expires <= (now or utcnow()).timestamp():
        return None
    return email
