"""HubSpot's request signatures: the published vectors pass, one changed byte
fails, the five-minute window holds, and the URI is rebuilt as HubSpot sent it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.serving import serve_app
from sync.hubspot.signatures import (
    check_signature,
    compute_legacy_signature,
    compute_signature,
)

SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
EXAMPLE_URI = "https://www.example.com/webhook_uri"
EXAMPLE_BODY = b"{'example_field':'example_value'}"
BODY_A = (
    b'[{"eventId":100,"subscriptionId":200,"portalId":62515,"appId":54321,'
    b'"occurredAt":1700000000000,"subscriptionType":"deal.propertyChange",'
    b'"attemptNumber":0,"objectId":123,"propertyName":"dealstage",'
    b'"propertyValue":"closedwon","changeSource":"CRM_UI","sourceId":"userId:42"}]'
)
CARD_URI = (
    "https://erp.example.com/api/card?portalId=62515&userEmail=a%40b.com"
    "&appId=54321&userId=42"
)
ISSUE_BODY = b'[{"eventId":1,"objectId":123,"subscriptionType":"deal.propertyChange"}]'
BODY_5 = (
    b'[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,'
    b'"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,'
    b'"changeSource":"CRM","changeFlag":"NEW","appId":54321}]'
)

V3_VECTORS = [
    pytest.param(
        SECRET,
        "POST",
        EXAMPLE_URI,
        EXAMPLE_BODY,
        "1693657560000",
        "K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=",
        id="v3-sdk",
    ),
    pytest.param(
        SECRET,
        "POST",
        "https://erp.example.com/hubspot/webhooks",
        BODY_A,
        "1700000000500",
        "JC7+HcXkSrA5Pu/a3+6PpoQ1vUhlzrVN1EPEgAwUqeU=",
        id="v3-webhook",
    ),
    pytest.param(
        SECRET,
        "GET",
        CARD_URI,
        b"",
        "1700000000500",
        "ivehgJT66u0QWQkCI624jC/EsA69G1yx96brhHOvijE=",
        id="v3-fetch-decoded-at",
    ),
    pytest.param(
        "test-client-secret",
        "POST",
        "https://erp.example.com/hooks/hubspot",
        ISSUE_BODY,
        "1707926838792",
        "U1g0eGynG8SXyUBVFLzkxRbmuOZKqCUcK1J4hzL5Hms=",
        id="v3-issue",
    ),
]

LEGACY_VECTORS = [
    pytest.param(
        "v1",
        "POST",
        EXAMPLE_URI,
        EXAMPLE_BODY,
        "69fc6631a867edd4f9e9e627fc5c1148e3fbdd8b21837b6d2b8901c1fa57f750",
        id="v1-sdk",
    ),
    pytest.param(
        "v2",
        "POST",
        EXAMPLE_URI,
        EXAMPLE_BODY,
        "4fe4e3a7d3cf09db53be39d0a58130e2aaba074ec123a9e355b876a689a1c383",
        id="v2-post",
    ),
    pytest.param(
        "v2",
        "GET",
        EXAMPLE_URI,
        b"",
        "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e",
        id="v2-get",
    ),
    pytest.param(
        "v1",
        "POST",
        EXAMPLE_URI,
        BODY_5,
        "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de",
        id="v1-docs",
    ),
]


def flip(data: bytes | str, at: int = 0) -> bytes | str:
    """The same value with one byte changed."""
    raw = data.encode() if isinstance(data, str) else data
    changed = raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1 :]
    return changed.decode() if isinstance(data, str) else changed


def check(secret, method, uri, body, stamp, signature, *, delay_s: float = 1.0):
    return check_signature(
        secret=secret,
        method=method,
        uri=uri,
        body=body,
        signature=signature,
        timestamp=stamp,
        now_s=int(stamp) / 1000 + delay_s,
    )


@pytest.mark.parametrize(
    ("secret", "method", "uri", "body", "stamp", "expected"), V3_VECTORS
)
def test_v3_vectors_pass(secret, method, uri, body, stamp, expected):
    assert compute_signature(secret, method, uri, body, stamp) == expected
    assert check(secret, method, uri, body, stamp, expected).ok


@pytest.mark.parametrize("part", ["secret", "method", "uri", "body", "stamp", "sig"])
@pytest.mark.parametrize(
    ("secret", "method", "uri", "body", "stamp", "expected"), V3_VECTORS
)
def test_v3_vectors_fail_with_one_byte_changed(
    secret, method, uri, body, stamp, expected, part
):
    values = {
        "secret": secret,
        "method": method,
        "uri": uri,
        "body": body,
        "stamp": stamp,
        "sig": expected,
    }
    if part == "body" and not body:
        values["body"] = b" "  # an empty body changed is one byte more
    elif part == "stamp":
        values["stamp"] = stamp[:-1] + ("1" if stamp[-1] != "1" else "2")
    else:
        values[part] = flip(values[part], len(values[part]) // 2)

    verdict = check(
        values["secret"],
        values["method"],
        values["uri"],
        values["body"],
        values["stamp"],
        values["sig"],
    )

    assert not verdict.ok


@pytest.mark.parametrize(
    ("version", "method", "uri", "body", "expected"), LEGACY_VECTORS
)
def test_legacy_vectors_pass_and_fail_with_one_byte_changed(
    version, method, uri, body, expected
):
    changed_body = flip(body, 3) if body else b" "

    assert compute_legacy_signature(SECRET, version, method, uri, body) == expected
    assert (
        compute_legacy_signature(SECRET, version, method, uri, changed_body) != expected
    )


@pytest.mark.parametrize(
    ("delay_s", "ok"),
    [(299, True), (301, False), (-299, True), (-301, False)],
    ids=["299s-later", "301s-later", "299s-early", "301s-early"],
)
def test_the_issue_vector_holds_five_minutes(delay_s, ok):
    signature = "U1g0eGynG8SXyUBVFLzkxRbmuOZKqCUcK1J4hzL5Hms="
    verdict = check(
        "test-client-secret",
        "POST",
        "https://erp.example.com/hooks/hubspot",
        ISSUE_BODY,
        "1707926838792",
        signature,
        delay_s=delay_s,
    )

    assert verdict.ok is ok


def test_a_float_timestamp_signature_is_refused():
    float_signature = "lsiXiNOLDgvZcr1aLcFpqaKaokrgx15Jc5LFM5Vu2bc="
    verdict = check(
        "test-client-secret",
        "POST",
        "https://erp.example.com/hooks/hubspot",
        ISSUE_BODY,
        "1707926838792",
        float_signature,
    )

    assert not verdict.ok and "does not match" in verdict.reason


@pytest.mark.parametrize(
    ("stamp", "reason"),
    [
        pytest.param("9" * 5000, "too long", id="5000-digits"),
        pytest.param("9" * 400, "too long", id="400-digits-past-a-float"),
        pytest.param("1" * 16, "too long", id="16-digits"),
        pytest.param("\u00b2", "not epoch ms", id="superscript-two"),
        pytest.param("\u0661" * 13, "not epoch ms", id="arabic-indic-digits"),
        pytest.param("1.7e12", "not epoch ms", id="float-text"),
    ],
)
def test_a_junk_timestamp_is_refused_with_its_reason(stamp, reason):
    verdict = check_signature(
        secret=SECRET,
        method="POST",
        uri=EXAMPLE_URI,
        body=EXAMPLE_BODY,
        signature="K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=",
        timestamp=stamp,
        now_s=1693657560.0,
    )

    assert not verdict.ok
    assert reason in verdict.reason
    assert len(verdict.reason) < 100


@pytest.fixture
def card_url() -> Iterator[str]:
    """A route that checks signatures as our API does, served over real HTTP."""
    from sync.hubspot.signatures import verify_request

    async def card(request: Request) -> JSONResponse:
        body = await request.body()
        verdict = verify_request(
            request,
            body,
            secret=SECRET,
            public_url="https://erp.example.com",
            now_s=1700000000.5 + 10,
        )
        return JSONResponse({"ok": verdict.ok, "reason": verdict.reason})

    with serve_app(Starlette(routes=[Route("/api/card", card)])) as url:
        yield url


@pytest.mark.parametrize(
    ("query", "ok"),
    [
        ("portalId=62515&userEmail=a%40b.com&appId=54321&userId=42", True),
        ("portalId=62515&userEmail=a@b.com&appId=54321&userId=42", True),
        ("appId=54321&portalId=62515&userEmail=a%40b.com&userId=42", False),
    ],
    ids=["escaped-at", "literal-at", "reordered-query"],
)
def test_the_uri_is_rebuilt_as_hubspot_called_it(card_url, query, ok):
    headers = {
        "X-HubSpot-Signature-v3": "ivehgJT66u0QWQkCI624jC/EsA69G1yx96brhHOvijE=",
        "X-HubSpot-Request-Timestamp": "1700000000500",
    }
    answer = httpx.get(f"{card_url}/api/card?{query}", headers=headers)

    assert answer.json()["ok"] is ok
