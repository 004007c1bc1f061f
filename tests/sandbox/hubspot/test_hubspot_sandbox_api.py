"""The sandbox behaves like HubSpot where the product can tell: OAuth errors,
rate limits with their headers and 429 bodies, search caps and indexing lag,
merges that change ids, archiving, and state that survives a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.hubspot.app import Sandbox
from sandbox.hubspot.fixture import read_document, save_world
from sandbox.hubspot.server import initial_world, serve_in_thread
from tests.sandbox.hubspot.hubspot_sandbox_helpers import (
    CLIENT,
    HUB_ID,
    REDIRECT,
    api,
    authorize,
    issue_tokens,
    running_sandbox,
)


@pytest.fixture
def running() -> Iterator:
    with running_sandbox() as served:
        yield served


@pytest.fixture
def client(running) -> Iterator[httpx.Client]:
    with api(running.url, issue_tokens(running.url)["access_token"]) as http:
        yield http


# OAuth ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"redirect_uri": "https://evil.example.com/cb"}, 400),
        ({"client_id": "someone-else"}, 400),
        ({"scope": ""}, 400),
    ],
    ids=["foreign-redirect", "unknown-client", "no-scope"],
)
def test_authorize_refuses_what_hubspot_refuses(running, extra, status):
    assert authorize(running.url, **extra).status_code == status


@pytest.mark.parametrize(
    ("version", "form", "error", "legacy"),
    [
        ("2026-03", {"grant_type": "refresh_token", "refresh_token": "na1-x"},
         "invalid_grant", "BAD_REFRESH_TOKEN"),
        ("2026-03", {"grant_type": "authorization_code", "code": "nope",
                     "redirect_uri": REDIRECT}, "invalid_grant", "BAD_AUTH_CODE"),
        ("2026-03", {"grant_type": "password"}, "unsupported_grant_type",
         "BAD_GRANT_TYPE"),
        ("v1", {"grant_type": "refresh_token", "refresh_token": "na1-x"},
         None, "BAD_REFRESH_TOKEN"),
    ],
    ids=["bad-refresh", "bad-code", "bad-grant", "v1-legacy-shape"],
)  # fmt: skip
def test_token_errors_have_hubspot_s_shapes(running, version, form, error, legacy):
    answer = httpx.post(f"{running.url}/oauth/{version}/token", data={**CLIENT, **form})

    body = answer.json()
    assert answer.status_code == 400
    assert body["status"] == legacy
    assert body.get("error") == error


def test_a_wrong_secret_is_an_invalid_client(running):
    answer = httpx.post(
        f"{running.url}/oauth/2026-03/token",
        data={"client_id": CLIENT["client_id"], "client_secret": "guess",
              "grant_type": "refresh_token", "refresh_token": "x"},
    )  # fmt: skip

    assert answer.json()["error"] == "invalid_client"


def test_a_refresh_keeps_the_refresh_token(running):
    issued = issue_tokens(running.url)

    again = httpx.post(
        f"{running.url}/oauth/2026-03/token",
        data={**CLIENT, "grant_type": "refresh_token",
              "refresh_token": issued["refresh_token"]},
    ).json()  # fmt: skip

    assert again["refresh_token"] == issued["refresh_token"]
    assert again["access_token"] != issued["access_token"]
    assert again["expires_in"] == 1800


def test_introspection_of_an_unknown_token_is_inactive(running):
    answer = httpx.post(
        f"{running.url}/oauth/2026-03/token/introspect",
        data={**CLIENT, "token": "nothing", "token_type_hint": "access_token"},
    )

    assert answer.json() == {"active": False}


def test_an_expired_token_says_how_long_ago(running, client):
    httpx.post(f"{running.url}/_sandbox/portals/{HUB_ID}/expire-tokens")

    answer = client.get("/crm/v3/objects/deals/201")

    assert answer.status_code == 401
    assert answer.json()["category"] == "EXPIRED_AUTHENTICATION"
    assert "expired 1 minute(s) ago" in answer.json()["message"]


def test_a_missing_scope_is_a_403_naming_it(running):
    token = issue_tokens(running.url, "oauth crm.objects.deals.read")["access_token"]

    with api(running.url, token) as http:
        answer = http.patch("/crm/v3/objects/deals/201", json={"properties": {}})

    body = answer.json()
    assert answer.status_code == 403 and body["category"] == "MISSING_SCOPES"
    assert body["errors"][0]["context"]["requiredGranularScopes"] == [
        "crm.objects.deals.write"
    ]


def test_uninstall_api_ends_every_token_of_the_install(running):
    issued = issue_tokens(running.url)

    with api(running.url, issued["access_token"]) as http:
        assert http.delete("/appinstalls/2026-03/external-install").status_code == 204
        assert http.get("/crm/v3/objects/deals/201").status_code == 401
    refresh = httpx.post(
        f"{running.url}/oauth/2026-03/token",
        data={**CLIENT, "grant_type": "refresh_token",
              "refresh_token": issued["refresh_token"]},
    )  # fmt: skip
    assert refresh.json()["status"] == "BAD_REFRESH_TOKEN"


# Rate limits ---------------------------------------------------------------------


def test_general_calls_carry_headers_and_stop_at_110(running, client):
    answers = [client.get("/crm/v3/objects/deals/201") for _ in range(111)]

    first, last_ok, refused = answers[0], answers[109], answers[110]
    assert first.headers["X-HubSpot-RateLimit-Max"] == "110"
    assert first.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert first.headers["X-HubSpot-RateLimit-Remaining"] == "109"
    assert last_ok.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert refused.status_code == 429
    body = refused.json()
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["errorType"] == "RATE_LIMIT"
    assert {"correlationId", "requestId", "message"} <= set(body)


def test_search_allows_five_per_second_without_headers(running, client):
    answers = [client.post("/crm/v3/objects/deals/search", json={}) for _ in range(6)]

    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert "X-HubSpot-RateLimit-Max" not in answers[0].headers
    assert answers[5].json()["policyName"] == "SECONDLY"
    assert answers[5].json()["message"] == "You have reached your secondly limit."


def test_limits_can_be_switched_off(running, client):
    httpx.put(f"{running.url}/_sandbox/faults", json={"rate_limits": False})

    answers = [client.post("/crm/v3/objects/deals/search", json={}) for _ in range(8)]

    assert {a.status_code for a in answers} == {200}


# Search ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"limit": 201}, "limit"),
        ({"after": "10000"}, "10000"),
        ({"filterGroups": [{"filters": []}] * 6}, "filter groups"),
        ({"filterGroups": [{"filters": [
            {"propertyName": "dealname", "operator": "HAS_PROPERTY"}] * 7}]},
         "filters in one group"),
        ({"filterGroups": [{"filters": [
            {"propertyName": "dealname", "operator": "HAS_PROPERTY"}] * 5}] * 4},
         "filters in all"),
        ({"query": "x" * 3001}, "3000"),
        ({"sorts": ["dealname", "amount"]}, "one sort"),
    ],
    ids=["limit-201", "past-cap", "six-groups", "seven-filters", "twenty-filters",
         "long-body", "two-sorts"],
)  # fmt: skip
def test_search_enforces_hubspot_s_caps(running, client, body, fragment):
    answer = client.post("/crm/v3/objects/deals/search", json=body)

    assert answer.status_code == 400
    assert fragment in answer.json()["message"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([{"propertyName": "dealname", "operator": "EQ", "value": "deal 1"}], ["202"]),
        ([{"propertyName": "dealname", "operator": "CONTAINS_TOKEN", "value": "dea*"}],
         ["201", "202", "203"]),
        ([{"propertyName": "hs_object_id", "operator": "IN",
           "values": ["201", "203"]}], ["201", "203"]),
        ([{"propertyName": "amount", "operator": "NOT_HAS_PROPERTY"}],
         ["201", "202", "203"]),
        ([{"propertyName": "hs_object_id", "operator": "BETWEEN", "value": "202",
           "highValue": "203"}], ["202", "203"]),
        ([{"propertyName": "associations.company", "operator": "EQ", "value": "101"}],
         ["202"]),
    ],
    ids=["eq-ignores-case", "token-wildcard", "in", "not-has", "between",
         "association"],
)  # fmt: skip
def test_search_filters(running, client, filters, expected):
    answer = client.post(
        "/crm/v3/objects/deals/search",
        json={"filterGroups": [{"filters": filters}], "sorts": ["hs_object_id"]},
    )

    assert [r["id"] for r in answer.json()["results"]] == expected


def test_new_and_changed_records_reach_search_after_the_indexing_delay(running, client):
    httpx.put(f"{running.url}/_sandbox/faults", json={"index_delay_ms": 400})
    created = client.post(
        "/crm/v3/objects/deals", json={"properties": {"dealname": "new"}}
    )
    client.patch(
        "/crm/v3/objects/deals/201", json={"properties": {"dealname": "moved"}}
    )
    search = {
        "filterGroups": [
            {
                "filters": [
                    {
                        "propertyName": "dealname",
                        "operator": "IN",
                        "values": ["new", "moved"],
                    }
                ]
            }
        ]
    }

    early = client.post("/crm/v3/objects/deals/search", json=search).json()
    time.sleep(0.5)
    late = client.post("/crm/v3/objects/deals/search", json=search).json()

    assert early["total"] == 0
    assert sorted(r["id"] for r in late["results"]) == sorted(
        ["201", created.json()["id"]]
    )


# Records -------------------------------------------------------------------------


@pytest.mark.parametrize("new_id", [False, True], ids=["keeps-id", "new-id"])
def test_a_merge_may_give_the_survivor_a_new_id(running, client, new_id):
    httpx.put(f"{running.url}/_sandbox/faults", json={"merge_new_id": new_id})

    survivor = client.post(
        "/crm/v3/objects/deals/merge",
        json={"primaryObjectId": "201", "objectIdToMerge": "202"},
    ).json()

    assert (survivor["id"] != "201") is new_id
    assert client.get("/crm/v3/objects/deals/202").status_code == 404
    full = client.get(
        f"/crm/v3/objects/deals/{survivor['id']}",
        params={"properties": "hs_merged_object_ids"},
    ).json()
    merged = set(full["properties"]["hs_merged_object_ids"].split(";"))
    assert merged == ({"201", "202"} if new_id else {"202"})


def test_an_archived_record_is_read_with_archived_true(running, client):
    assert client.delete("/crm/v3/objects/deals/203").status_code == 204

    gone = client.get("/crm/v3/objects/deals/203")
    archived = client.get("/crm/v3/objects/deals/203", params={"archived": "true"})

    assert gone.status_code == 404
    assert archived.json()["archived"] is True and "archivedAt" in archived.json()


def test_history_records_who_changed_a_value(running, client):
    client.patch("/crm/v3/objects/deals/201", json={"properties": {"amount": "10"}})
    httpx.patch(
        f"{running.url}/_sandbox/portals/{HUB_ID}/objects/deals/201",
        json={"properties": {"amount": "12"}},
    )

    deal = client.get(
        "/crm/v3/objects/deals/201", params={"propertiesWithHistory": "amount"}
    ).json()

    history = deal["propertiesWithHistory"]["amount"]
    assert [(h["value"], h["sourceType"]) for h in history] == [
        ("12", "CRM_UI"),
        ("10", "INTEGRATION"),
    ]
    assert history[1]["sourceId"] == "777001"


def test_the_dated_path_and_the_type_id_serve_the_same_record(running, client):
    plain = client.get("/crm/v3/objects/deals/201").json()
    dated = client.get("/crm/objects/2026-03/0-3/201").json()

    assert plain == dated


# State ---------------------------------------------------------------------------


def test_a_restart_keeps_records_and_tokens(tmp_path: Path):
    state = tmp_path / "hubspot.json"
    with running_sandbox() as first:
        issued = issue_tokens(first.url)
        with api(first.url, issued["access_token"]) as http:
            made = http.post(
                "/crm/v3/objects/deals", json={"properties": {"dealname": "kept"}}
            )
        save_world(first.sandbox.world, state)

    again = Sandbox(initial_world(state, None), state_path=state)
    with (
        serve_in_thread(again) as second,
        api(second.url, issued["access_token"]) as http,
    ):
        answer = http.get(f"/crm/v3/objects/deals/{made.json()['id']}")

    assert answer.status_code == 200
    assert answer.json()["properties"]["dealname"] == "kept"
    assert read_document(state)["portals"][0]["hubId"] == HUB_ID


@pytest.mark.parametrize(
    ("sorts", "expected"),
    [
        (
            [{"propertyName": "dealname", "direction": "DESCENDING"}],
            ["203", "202", "201"],
        ),
        (["-hs_object_id"], ["203", "202", "201"]),
        (["dealname"], ["201", "202", "203"]),
        ([], ["201", "202", "203"]),
    ],
    ids=["descending-object", "descending-string", "ascending-string", "by-creation"],
)
def test_search_sorts_one_way_or_the_other(running, client, sorts, expected):
    answer = client.post("/crm/v3/objects/deals/search", json={"sorts": sorts})

    assert [r["id"] for r in answer.json()["results"]] == expected
