"""Matching companies with Genius customers: one candidate links, several wait."""

import pytest

from sync.identity import (
    Company,
    CustomerIndex,
    normalise_domain,
    normalise_name,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Les Aciers Lévis Ltée.", "les aciers levis"),
        ("LES ACIERS LEVIS LTEE", "les aciers levis"),
        ("Usinage Trois-Rivières inc.", "usinage trois rivieres"),
        ("Béton & Fils Cie", "beton and fils"),
        ("Inc.", "inc"),  # a name made only of a suffix keeps one word
        ("", ""),
        (None, ""),
    ],
    ids=[
        "accents-suffix",
        "upper",
        "hyphen-inc",
        "ampersand",
        "only-suffix",
        "empty",
        "none",
    ],
)
def test_names_are_compared_without_accents_case_and_legal_form(raw, expected):
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://WWW.Acier-Levis.ca/contact", "acier-levis.ca"),
        ("acier-levis.ca", "acier-levis.ca"),
        ("ventes@acier-levis.ca", "acier-levis.ca"),
        ("localhost", ""),
        ("  ", ""),
    ],
    ids=["url", "bare", "email", "no-dot", "blank"],
)
def test_domains_are_reduced_to_the_host(raw, expected):
    assert normalise_domain(raw) == expected


CUSTOMERS = [
    {
        "Code": "ACILEV",
        "Name": "Les Aciers Lévis Ltée",
        "Website": "www.acier-levis.ca",
    },
    {"Code": "USITR", "Name": "Usinage Trois-Rivières", "Email": "info@usitr.qc.ca"},
    {"Code": "BETON1", "Name": "Béton Québec"},
    {"Code": "BETON2", "Name": "BETON QUEBEC INC."},
    {"Code": "NEUF", "Name": "Neuf", "ExternalReference": "HS-COMPANY-8"},
]


@pytest.mark.parametrize(
    ("company", "linked", "code", "rule"),
    [
        (Company("1", name="Autre"), "USITR", "USITR", "link"),
        (
            Company("2", name="Zzz", customer_code="acilev"),
            "",
            "ACILEV",
            "customer_code",
        ),
        (Company("3", name="Zzz", domain="acier-levis.ca"), "", "ACILEV", "domain"),
        (Company("4", website="https://usitr.qc.ca"), "", "USITR", "domain"),
        (Company("5", name="LES ACIERS LEVIS"), "", "ACILEV", "name"),
        (Company("8", name="Béton Québec"), "", "NEUF", "reference"),
    ],
    ids=["link", "stored-code", "domain", "website", "name", "our-reference"],
)
def test_one_candidate_is_a_match(company, linked, code, rule):
    match = CustomerIndex(CUSTOMERS).match(company, linked)

    assert (match.code, match.rule) == (code, rule)


def test_several_candidates_are_held_not_guessed():
    match = CustomerIndex(CUSTOMERS).match(Company("6", name="Béton Québec Ltée"))

    assert match.code == ""
    assert match.is_ambiguous
    assert match.candidates == ["BETON1", "BETON2"]


def test_a_stored_code_unknown_to_genius_falls_back_to_other_rules():
    match = CustomerIndex(CUSTOMERS).match(
        Company("7", name="Zzz", customer_code="GONE")
    )

    assert match.code == "" and not match.is_ambiguous


def test_new_codes_are_free_upper_case_and_at_most_ten_characters():
    index = CustomerIndex([*CUSTOMERS, {"Code": "MTLMETAL"}, {"Code": "MTLMETAL2"}])

    code = index.new_code("Mtl Métal inc.")

    assert code == "MTLMETAL3"
    assert index.new_code("Fonderie Saint-Jean-sur-Richelieu") == "FONDERIESA"
    assert index.new_code("!!!") == "CLIENT"
