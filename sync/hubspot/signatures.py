"""HubSpot's request signatures (v3): one validator for webhooks and `hubspot.fetch`.

HubSpot signs `method + uri + body + timestamp` with the app's client secret
(HMAC-SHA256, base64). The URI is the one HubSpot called: the public scheme
and host (not what a proxy in front of us forwards), the path, and the query
in its original order, with only a dozen percent-escapes decoded. The body
is the raw bytes, never re-serialised JSON; the timestamp is the header's
text as sent (milliseconds). A signature older or newer than five minutes
is refused, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request

from runtime.settings import get_settings

SIGNATURE_HEADER = "x-hubspot-signature-v3"
TIMESTAMP_HEADER = "x-hubspot-request-timestamp"
MAX_AGE_S = 300
# Epoch milliseconds stay at 13 digits until the year 2286; longer is junk.
MAX_TIMESTAMP_DIGITS = 15

# The only escapes HubSpot decodes before signing; every other one stays encoded.
_DECODED = {
    "3A": ":",
    "2F": "/",
    "3F": "?",
    "40": "@",
    "21": "!",
    "24": "$",
    "27": "'",
    "28": "(",
    "29": ")",
    "2A": "*",
    "2C": ",",
    "3B": ";",
}
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on one request; `reason` says why it was refused."""

    ok: bool
    reason: str = ""


def signed_uri(uri: str) -> str:
    """The URI as HubSpot puts it in the signed text."""
    return _ESCAPE.sub(lambda m: _DECODED.get(m.group(1).upper(), m.group(0)), uri)


def compute_signature(
    secret: str, method: str, uri: str, body: bytes, timestamp: str
) -> str:
    source = b"".join(
        [method.upper().encode(), signed_uri(uri).encode(), body, timestamp.encode()]
    )
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def check_signature(
    *,
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    signature: str,
    timestamp: str,
    now_s: float | None = None,
) -> SignatureCheck:
    """Whether `signature` is HubSpot's v3 signature of this request, now."""
    if not signature or not timestamp:
        return SignatureCheck(False, "the v3 signature or its timestamp is missing")
    # isdigit() alone admits '²' and other digits int() refuses.
    if not timestamp.isascii() or not timestamp.isdigit():
        return SignatureCheck(False, f"timestamp {timestamp[:20]!r} is not epoch ms")
    if len(timestamp) > MAX_TIMESTAMP_DIGITS:
        return SignatureCheck(False, f"timestamp {timestamp[:20]!r}… is too long")
    now_s = time.time() if now_s is None else now_s
    age_s = now_s - int(timestamp) / 1000
    if abs(age_s) > MAX_AGE_S:
        return SignatureCheck(
            False, f"timestamp is {age_s:.0f} s away from now (limit {MAX_AGE_S} s)"
        )
    expected = compute_signature(secret, method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        return SignatureCheck(False, "the v3 signature does not match")
    return SignatureCheck(True)


def public_request_uri(public_url: str, raw_path: bytes, query: bytes) -> str:
    """The URI HubSpot called, behind any proxy: public scheme and host, raw path."""
    base = urlsplit(public_url)
    uri = f"{base.scheme}://{base.netloc}{raw_path.decode('latin-1')}"
    return f"{uri}?{query.decode('latin-1')}" if query else uri


def request_uri(request: Request, public_url: str) -> str:
    scope = request.scope
    raw_path = scope.get("raw_path") or scope["path"].encode()
    # raw_path may carry the query on some servers; the query comes separately.
    raw_path = raw_path.split(b"?", 1)[0]
    return public_request_uri(public_url, raw_path, scope.get("query_string", b""))


def verify_request(
    request: Request,
    body: bytes,
    *,
    secret: str | None = None,
    public_url: str | None = None,
    now_s: float | None = None,
) -> SignatureCheck:
    """Check a Starlette request from HubSpot (a webhook or a `hubspot.fetch`)."""
    settings = get_settings()
    secret = secret or settings.hubspot.client_secret.get_secret_value()
    headers: Mapping[str, str] = request.headers
    return check_signature(
        secret=secret,
        method=request.method,
        uri=request_uri(request, public_url or settings.public_url),
        body=body,
        signature=headers.get(SIGNATURE_HEADER, ""),
        timestamp=headers.get(TIMESTAMP_HEADER, ""),
        now_s=now_s,
    )


def compute_legacy_signature(
    secret: str, version: str, method: str, uri: str, body: bytes
) -> str:
    """v1 (`secret + body`) or v2 (`secret + method + uri + body`), hex SHA-256.

    Kept to recognise what HubSpot still sends beside v3; neither carries a
    timestamp, so neither is accepted on its own.
    """
    if version == "v1":
        source = secret.encode() + body
    elif version == "v2":
        source = secret.encode() + method.upper().encode() + uri.encode() + body
    else:
        raise ValueError(f"signature version {version!r} is neither v1 nor v2")
    return hashlib.sha256(source).hexdigest()
