"""Yes/no values: configured tokens in, "true"/"false" out."""

from __future__ import annotations

import pytest

FLAG = {"name": "active", "hubspot": "is_active", "genius": "Active", "type": "bool"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("FALSE", False), ("Oui", True), ("non", False), ("1", True)],
    ids=["true", "false-upper", "oui", "non", "one"],
)
def test_default_tokens_read_in_both_languages(pair_of, raw, expected):
    assert pair_of(FLAG).read_hubspot({"is_active": raw}).values == {"active": expected}


def test_writes_are_lower_case_words_and_json_bools(pair_of):
    pair = pair_of(FLAG)

    assert pair.write_hubspot({"active": False}) == {"is_active": "false"}
    assert pair.write_genius({"active": True}) == {"Active": True}


def test_custom_tokens_replace_the_defaults(pair_of):
    pair = pair_of({**FLAG, "options": {"true_tokens": ["Y"], "false_tokens": ["N"]}})

    assert pair.read_genius({"Active": "y"}).values == {"active": True}
    assert pair.read_genius({"Active": "yes"}).errors[0].expected == "one of 'Y', 'N'"
