"""Text follows the target's type: trimmed, cased and cut the same on both sides."""

from __future__ import annotations

from decimal import Decimal

import pytest

CODE = {"name": "code", "hubspot": "ref", "genius": "Reference", "type": "string"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00123", "00123"),
        ("  padded  ", "padded"),
        (Decimal("12.50"), "12.50"),
        (42, "42"),
    ],
    ids=["case7-leading-zeros", "trimmed", "decimal-as-text", "int-as-text"],
)
def test_case7_text_keeps_the_look_of_the_value(pair_of, raw, expected):
    pair = pair_of(CODE)

    reading = pair.read_genius({"Reference": raw})

    assert reading.values == {"code": expected}
    assert pair.write_hubspot(reading.values) == {"ref": expected}


def test_overlong_text_is_truncated_on_read_so_it_reads_stably(pair_of):
    pair = pair_of({**CODE, "options": {"max_length": 5}})

    first = pair.read_hubspot({"ref": "abcdefgh"}).values
    again = pair.read_hubspot(pair.write_hubspot(first)).values

    assert first == again == {"code": "abcde"}


def test_overlong_text_can_be_rejected(pair_of):
    pair = pair_of({**CODE, "options": {"max_length": 5, "overflow": "reject"}})

    reading = pair.read_hubspot({"ref": "abcdefgh"})

    assert reading.values == {}
    assert "8 characters, more than the 5 allowed" in reading.errors[0].message


@pytest.mark.parametrize(
    ("case", "expected"), [("upper", "H2X 1Y4"), ("lower", "h2x 1y4")], ids=str
)
def test_letter_case_is_applied_on_read(pair_of, case, expected):
    pair = pair_of({**CODE, "options": {"case": case}})

    assert pair.read_hubspot({"ref": " h2X 1y4 "}).values == {"code": expected}


def test_text_field_refuses_structures(pair_of):
    reading = pair_of(CODE).read_genius({"Reference": {"nested": 1}})

    assert reading.values == {}
    assert reading.errors[0].expected == "a text"
