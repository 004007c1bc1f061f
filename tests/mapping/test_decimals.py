"""Numbers stay Decimal end to end, with scale, bounds and fr-CA text."""

from __future__ import annotations

from decimal import Decimal

import pytest

TOTAL = {
    "name": "total", "hubspot": "amount", "genius": "Total", "type": "number",
    "options": {"scale": 2},
}  # fmt: skip
TYPED = {**TOTAL, "options": {"scale": 2, "text_format": "fr-CA"}}


@pytest.mark.parametrize(
    "residue",
    [
        Decimal("1.4210854715202004e-14"),
        1.4210854715202004e-14,
        "1.4210854715202004e-14",
        Decimal("-1.4210854715202004E-14"),
    ],
    ids=["decimal", "float", "text", "negative"],
)
def test_case6_float_residue_is_written_as_zero_not_exponent(pair_of, residue):
    pair = pair_of(TOTAL)

    body = pair.write_hubspot(pair.read_genius({"Total": residue}).values)

    assert body == {"amount": "0.00"}


def test_case6_unscaled_numbers_never_use_exponent_notation(pair_of):
    pair = pair_of({**TOTAL, "options": {}})

    for raw, text in [(Decimal("1E+3"), "1000"), (Decimal("1.5E-7"), "0.00000015")]:
        assert pair.write_hubspot(pair.read_genius({"Total": raw}).values) == {
            "amount": text
        }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", Decimal("1234.50")),
        ("1\u00a0234,5", Decimal("1234.50")),
        ("1\u202f234\u202f567,891", Decimal("1234567.89")),
        ("1 234,50 $", Decimal("1234.50")),
        ("-12,5", Decimal("-12.50")),
        ("1234.5", Decimal("1234.50")),
    ],
    ids=["case6-space", "nbsp", "narrow-nbsp", "dollar-sign", "negative", "plain"],
)
def test_case6_fr_ca_text_reads_as_the_number_written(pair_of, text, expected):
    reading = pair_of(TYPED).read_hubspot({"amount": text})

    assert reading.values == {"total": expected}
    assert reading.values["total"].as_tuple().exponent == -2


@pytest.mark.parametrize(
    "text",
    ["abc", "1,2,3", "12 34,5", "NaN", "Infinity", "1_000", "١٢٣", "1e999999"],
    ids=["words", "commas", "bad-groups", "nan", "inf", "underscore", "arabic", "huge"],
)
def test_text_that_is_not_a_number_is_a_field_error(pair_of, text):
    reading = pair_of(TYPED).read_hubspot({"amount": text})

    assert reading.values == {}
    [error] = reading.errors
    assert error.field == "total" and "number" in error.expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2.345", Decimal("2.35")),
        ("2.335", Decimal("2.34")),
        ("-2.345", Decimal("-2.35")),
    ],
    ids=["half-up", "half-up-odd", "negative-half-up"],
)
def test_values_are_rounded_to_the_scale_half_up(pair_of, raw, expected):
    assert pair_of(TOTAL).read_hubspot({"amount": raw}).values == {"total": expected}


def test_bounds_reject_values_outside(pair_of):
    pair = pair_of({**TOTAL, "options": {"scale": 2, "min": "0", "max": "100"}})

    assert pair.read_hubspot({"amount": "100"}).values == {"total": Decimal("100.00")}
    assert (
        pair.read_hubspot({"amount": "-0.01"})
        .errors[0]
        .expected.startswith("a number from 0 to 100")
    )
    assert (
        "above the maximum" in pair.read_hubspot({"amount": "100.01"}).errors[0].message
    )


def test_genius_numbers_go_out_as_decimal(pair_of):
    pair = pair_of(TOTAL)

    body = pair.write_genius(pair.read_hubspot({"amount": "1500.5"}).values)

    assert body == {"Total": Decimal("1500.50")}
    assert isinstance(body["Total"], Decimal)
