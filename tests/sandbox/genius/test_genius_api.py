"""The sandbox answers the Genius API contract over real HTTP, quirks included."""

from __future__ import annotations

import pytest

QUOTE = {
    "CustomerCode": "BOREAL",
    "Title": "Garde-corps",
    "ExternalReference": "HS-DEAL-42",
    "Lines": [{"ItemCode": "PLQ-ACIER-10", "Quantity": 2}],
}


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        pytest.param(
            {"X-Genius-Api-Key": "wrong"}, 401, "invalid_api_key", id="bad-key"
        ),
        pytest.param({"X-Genius-Api-Key": ""}, 401, "invalid_api_key", id="no-key"),
        pytest.param(
            {"X-Genius-Company": "AUTRE"}, 403, "company_forbidden", id="other-company"
        ),
        pytest.param(
            {"X-Genius-Company": "NOPE"}, 403, "company_forbidden", id="unknown-company"
        ),
        pytest.param({"X-Genius-Company": "fabdemo"}, 200, None, id="company-any-case"),
    ],
)
def test_credentials_are_checked_key_first_then_company(erp, headers, status, code):
    answer = erp.get("/company", headers=headers)

    assert answer.status_code == status
    if code:
        assert answer.json()["errors"][0]["code"] == code


def test_decimals_travel_as_json_numbers_at_full_scale(erp):
    text = erp.get("/items/PLQ-ACIER-10").text

    assert '"UnitPrice":148.5000' in text
    assert '"Active":true' in text


def test_a_created_quote_gets_its_number_and_totals_from_the_erp(erp):
    answer = erp.post("/quotes", json=QUOTE)

    quote = answer.json()
    assert answer.status_code == 201
    assert quote["Number"] == "S-000002"
    assert quote["Status"] == 10
    assert quote["Currency"] == "CAD"
    assert '"LineTotal":297.00' in answer.text
    assert quote["Lines"][0]["Description"] == "Plaque d'acier 10 mm"
    assert (
        erp.get("/quotes", params={"externalReference": "HS-DEAL-42"}).json()[
            "TotalCount"
        ]
        == 1
    )


def test_customer_codes_are_stored_upper_case_and_found_in_any_case(erp):
    created = erp.post("/customers", json={"Code": "nordik2", "Name": "Nordik"})

    assert created.json()["Code"] == "NORDIK2"
    assert erp.get("/customers/nordik2").json()["Name"] == "Nordik"


def test_a_customer_without_code_gets_one_made_from_its_name(erp):
    first = erp.post("/customers", json={"Name": "Métaux Boréal Est"}).json()
    second = erp.post("/customers", json={"Name": "Métaux Boréal Ouest"}).json()

    assert (first["Code"], second["Code"]) == ("METAUX", "METAUX1")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({"Code": "TOO-LONG-CODE", "Name": "x"}, {"Code"}, id="code-form"),
        pytest.param({"Code": "ABCDEFGHIJK", "Name": "x"}, {"Code"}, id="code-length"),
        pytest.param(
            {"Name": "x" * 61, "Province": "Québec"},
            {"Name", "Province"},
            id="two-fields-at-once",
        ),
        pytest.param({"Name": "x", "Currency": "EUR"}, {"Currency"}, id="currency"),
        pytest.param({"Name": "x", "Email": "not-an-email"}, {"Email"}, id="email"),
        pytest.param({"Name": "x", "Colour": "red"}, {"Colour"}, id="unknown-field"),
        pytest.param({"Code": "X1"}, {"Name"}, id="required"),
    ],
)
def test_invalid_customers_get_422_with_every_field_listed(erp, body, fields):
    answer = erp.post("/customers", json=body)

    assert answer.status_code == 422
    assert {error["field"] for error in answer.json()["errors"]} == fields


def test_a_taken_customer_code_is_a_409(erp):
    answer = erp.post("/customers", json={"Code": "boreal", "Name": "Autre Boréal"})

    assert answer.status_code == 409
    assert answer.json()["errors"][0]["code"] == "duplicate_code"


def test_quote_line_problems_are_listed_with_their_line(erp):
    body = {
        "CustomerCode": "BOREAL",
        "Lines": [
            {"ItemCode": "VIEUX-01", "Quantity": 1},
            {"Description": "Libre", "Quantity": 1, "DiscountPercent": 120},
        ],
    }

    answer = erp.post("/quotes", json=body)

    assert answer.status_code == 422
    assert {(e["field"], e["code"]) for e in answer.json()["errors"]} == {
        ("Lines[0].ItemCode", "inactive_item"),
        ("Lines[1].DiscountPercent", "out_of_range"),
        ("Lines[1].UnitPrice", "required"),
    }


@pytest.mark.parametrize(
    ("status", "change", "answer_status", "code"),
    [
        pytest.param(30, {"Lines": []}, 409, "quote_accepted", id="accepted-lines"),
        pytest.param(
            30,
            {"CustomerCode": "LAKESIDE"},
            409,
            "quote_accepted",
            id="accepted-customer",
        ),
        pytest.param(30, {"Title": "Nouveau titre"}, 200, None, id="accepted-title"),
        pytest.param(30, {"Status": 60}, 200, None, id="accepted-to-order"),
        pytest.param(20, {"Status": 60}, 409, "status_rule", id="sent-to-order"),
        pytest.param(
            60, {"Title": "Nouveau titre"}, 409, "quote_converted", id="converted-title"
        ),
        pytest.param(60, {"Status": 20}, 409, "quote_converted", id="converted-status"),
    ],
)
def test_status_rules_answer_409(erp, status, change, answer_status, code):
    number = erp.post("/quotes", json=QUOTE).json()["Number"]
    for step in {30: [30], 60: [30, 60], 20: [20]}[status]:
        assert erp.patch(f"/quotes/{number}", json={"Status": step}).status_code == 200

    answer = erp.patch(f"/quotes/{number}", json=change)

    assert answer.status_code == answer_status
    if code:
        assert answer.json()["errors"][0]["code"] == code


def test_replacing_lines_recomputes_the_totals(erp):
    number = erp.post("/quotes", json=QUOTE).json()["Number"]
    lines = [
        {
            "Description": "Montage",
            "Quantity": 3,
            "UnitPrice": 100,
            "DiscountPercent": 10,
        }
    ]

    quote = erp.patch(f"/quotes/{number}", json={"Lines": lines}).json()

    assert [line["LineTotal"] for line in quote["Lines"]] == [270]
    assert quote["Subtotal"] == 270
    assert quote["Lines"][0]["LineNumber"] == 1


def test_lists_sort_by_modified_at_then_key_and_report_the_total(erp):
    for name in ("Zeta", "Alpha", "Mu"):
        erp.post("/customers", json={"Name": name})

    first = erp.get("/customers", params={"pageSize": 2, "page": 1}).json()
    second = erp.get("/customers", params={"pageSize": 2, "page": 2}).json()
    codes = [c["Code"] for c in first["Data"] + second["Data"]]

    assert (first["TotalCount"], first["TotalPages"]) == (5, 3)
    stamps = [(c["ModifiedAt"], c["Code"]) for c in first["Data"] + second["Data"]]
    assert stamps == sorted(stamps)
    assert len(set(codes)) == 4


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"pageSize": 501}, id="page-too-large"),
        pytest.param({"page": 0}, id="page-zero"),
        pytest.param({"modifiedSince": "2026-11-01T01:30:00"}, id="since-with-T"),
    ],
)
def test_bad_list_parameters_are_a_422(erp, params):
    assert erp.get("/quotes", params=params).status_code == 422


def test_modified_since_is_inclusive_local_text(erp):
    answer = erp.get("/customers", params={"modifiedSince": "2026-03-02 09:15:00"})

    assert "BOREAL" in [c["Code"] for c in answer.json()["Data"]]


def test_a_429_storm_carries_retry_after(erp, admin):
    admin.post("/faults", json={"storm_429": 2, "storm_retry_after_s": 3})

    answers = [erp.get("/company") for _ in range(3)]

    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "3"


def test_the_rate_limit_answers_429_past_the_limit_per_key(erp, admin):
    admin.post("/faults", json={"rate_limit_per_s": 3})

    statuses = [erp.get("/company").status_code for _ in range(5)]

    assert statuses.count(429) >= 1
    assert statuses[:3] == [200, 200, 200]


def test_maintenance_answers_503_before_looking_at_credentials(erp, admin):
    admin.post("/faults", json={"maintenance": True, "maintenance_retry_after_s": 9})

    answer = erp.get("/company", headers={"X-Genius-Api-Key": "wrong"})

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "9"
    admin.delete("/faults")
    assert erp.get("/company").status_code == 200


def test_metadata_lists_statuses_and_fields(erp):
    statuses = erp.get("/metadata/quote-statuses").json()
    fields = erp.get("/metadata/fields/customers").json()

    assert [(s["Code"], s["LabelFr"]) for s in statuses][-1] == (
        60,
        "Convertie en commande",
    )
    assert [s["IsFinal"] for s in statuses].count(True) == 1
    code = next(f for f in fields if f["Name"] == "Code")
    assert (code["MaxLength"], code["Key"]) == (10, True)
    assert erp.get("/metadata/fields/planets").status_code == 404


def test_unknown_fault_settings_are_refused(admin):
    answer = admin.post("/faults", json={"error_rate": 0.5, "volcano": True})

    assert answer.status_code == 400
    assert "volcano" in answer.json()["error"]
