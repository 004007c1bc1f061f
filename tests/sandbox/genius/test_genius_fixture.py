"""Fixtures load through the ERP's own rules, and a saved state loads back whole."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from sandbox.genius import jsonio
from sandbox.genius.fixture import FixtureError, load_state, read_fixture
from sandbox.genius.server import initial_state

EXAMPLE = Path(__file__).resolve().parents[3] / "sandbox/genius/fixtures/example.json"


def company(**extra):
    return {"code": "ACME", "api_keys": ["k"], **extra}


def test_the_example_fixture_loads_with_computed_totals():
    state = load_state(read_fixture(EXAMPLE))

    quote = state.companies["FABDEMO"].quotes["S-000001"]
    assert [line["LineTotal"] for line in quote["Lines"]] == [
        Decimal("1692.90"),
        Decimal("617.50"),
    ]
    assert quote["Subtotal"] == Decimal("2310.40")
    # Québec: 5 % GST + 9.975 % QST on the subtotal.
    assert quote["Total"] == Decimal("2656.38")
    assert quote["Lines"][0]["Description"] == "Plaque d'acier 10 mm"


@pytest.mark.parametrize(
    ("document", "place"),
    [
        pytest.param(
            {"companies": [company(code="a b")]}, "companies[0].code", id="code"
        ),
        pytest.param(
            {"companies": [company(timezone="Mars/Olympus")]},
            "companies[0].timezone",
            id="timezone",
        ),
        pytest.param(
            {"companies": [company(customers=[{"Code": "X" * 11, "Name": "n"}])]},
            "companies[0].customers[0]: Code",
            id="long-customer-code",
        ),
        pytest.param(
            {"companies": [company(customers=[{"Code": "A"}, {"Code": "B"}])]},
            "companies[0].customers[0]: Name",
            id="missing-name",
        ),
        pytest.param(
            {"companies": [company(quotes=[{"CustomerCode": "NOBODY"}])]},
            "companies[0].quotes[0]: CustomerCode",
            id="unknown-customer",
        ),
        pytest.param(
            {
                "companies": [
                    company(
                        customers=[{"Code": "C1", "Name": "n"}],
                        quotes=[
                            {
                                "CustomerCode": "C1",
                                "Lines": [{"ItemCode": "NOPE", "Quantity": 1}],
                            }
                        ],
                    )
                ]
            },
            "Lines[0].ItemCode",
            id="unknown-item",
        ),
        pytest.param(
            {
                "companies": [
                    company(
                        customers=[
                            {
                                "Code": "C1",
                                "Name": "n",
                                "ModifiedAt": "2026-11-01T01:30:00",
                            }
                        ]
                    )
                ]
            },
            "companies[0].customers[0].ModifiedAt",
            id="modified-at-format",
        ),
    ],
)
def test_an_invalid_fixture_names_the_place_of_the_problem(document, place):
    with pytest.raises(
        FixtureError, match=place.replace("[", r"\[").replace("]", r"\]")
    ):
        load_state(document)


def test_codes_and_decimals_are_normalised_like_the_erp_does():
    document = {
        "companies": [
            company(
                items=[{"Code": "bolt-1", "UnitPrice": "0.12345", "Unit": "un"}],
                customers=[{"Code": "acme1", "Name": "Acme", "Province": "qc"}],
            )
        ]
    }

    acme = load_state(document).companies["ACME"]

    assert list(acme.items) == ["BOLT-1"]
    assert acme.items["BOLT-1"]["UnitPrice"] == Decimal("0.1235")
    assert acme.customers["ACME1"]["Province"] == "QC"


def test_a_saved_state_loads_back_identical(tmp_path: Path):
    state = load_state(read_fixture(EXAMPLE))
    state.clock.offset_s = 12.5
    path = tmp_path / "state.json"

    state.save(path)
    again = load_state(read_fixture(path))

    assert jsonio.dumps(again.to_document()) == jsonio.dumps(state.to_document())
    assert '"Total":2656.38' in path.read_text()


def test_the_seed_is_used_only_when_no_state_exists_yet(tmp_path: Path):
    state_path = tmp_path / "genius.json"
    state_path.write_text(json.dumps({"companies": [company(name="Saved")]}))

    from_state = initial_state(state_path, EXAMPLE)
    from_seed = initial_state(tmp_path / "absent.json", EXAMPLE)

    assert list(from_state.companies) == ["ACME"]
    assert "FABDEMO" in from_seed.companies
