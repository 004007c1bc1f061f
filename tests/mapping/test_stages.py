"""Deal stage <-> quote status, resolved within the deal's pipeline."""

from __future__ import annotations

import pytest

from mapping.presets import ACCEPTED, CANCELLED, CONVERTED, DRAFT, REFUSED, SENT


def test_case9_status_in_custom_pipeline_writes_pipeline_and_stage(deal):
    body = deal.write_hubspot({"stage": ACCEPTED}, context={"pipeline": "7000001"})

    assert body == {"pipeline": "7000001", "dealstage": "7000012"}


def test_case9_stage_of_another_pipeline_is_rejected_locally(deal):
    reading = deal.read_hubspot({"pipeline": "7000001", "dealstage": "closedwon"})

    assert "stage" not in reading.values
    [error] = reading.errors
    assert error.field == "stage"
    assert "is a stage of pipeline 'Sales Pipeline', not of 'Fabrication'" in (
        error.message
    )


@pytest.mark.parametrize(
    ("pipeline", "stage", "status"),
    [
        ("default", "appointmentscheduled", DRAFT),
        ("default", "qualifiedtobuy", DRAFT),
        ("default", "presentationscheduled", SENT),
        ("default", "contractsent", SENT),
        ("default", "closedwon", ACCEPTED),
        ("default", "closedlost", REFUSED),
        ("7000001", "7000010", DRAFT),
        ("7000001", "7000011", SENT),
        ("7000001", "7000014", SENT),
        ("7000001", "7000012", ACCEPTED),
        ("7000001", "7000013", REFUSED),
    ],
    ids=lambda value: str(value),
)
def test_case9_stages_read_as_statuses_within_their_pipeline(
    deal, pipeline, stage, status
):
    reading = deal.read_hubspot({"pipeline": pipeline, "dealstage": stage})

    assert reading.values == {"stage": status}
    assert reading.context == {"pipeline": pipeline}


@pytest.mark.parametrize(
    ("pipeline", "status", "stage"),
    [
        ("default", CONVERTED, "closedwon"),
        ("default", CANCELLED, "closedlost"),
        ("default", SENT, "presentationscheduled"),
        ("7000001", CONVERTED, "7000012"),
        ("7000001", CANCELLED, "7000013"),
        ("7000001", SENT, "7000011"),
    ],
    ids=lambda value: str(value),
)
def test_every_status_has_one_designated_stage_per_pipeline(
    deal, pipeline, status, stage
):
    body = deal.write_hubspot({"stage": status}, context={"pipeline": pipeline})

    assert body == {"pipeline": pipeline, "dealstage": stage}


def test_a_stage_without_its_pipeline_is_found_when_only_one_pipeline_has_it(deal):
    assert deal.read_hubspot({"dealstage": "7000014"}).values == {"stage": SENT}


def test_a_pipeline_missing_from_the_mapping_is_a_field_error(deal):
    reading = deal.read_hubspot({"pipeline": "999", "dealstage": "1234"})

    assert "which has no stage table in the mapping" in reading.errors[0].message


def test_stage_labels_are_a_fallback_for_stage_ids(deal):
    reading = deal.read_hubspot({"pipeline": "7000001", "dealstage": "Négociation"})

    assert reading.values == {"stage": SENT}


def test_a_converted_quote_does_not_look_like_a_stage_change(deal):
    """60 shows in HubSpot as the won stage, which reads as 30: not a change."""
    hubspot = deal.read_hubspot({"pipeline": "default", "dealstage": "closedwon"})
    genius = deal.read_genius({"Status": CONVERTED})

    plan = deal.merge(
        {"stage": CONVERTED, "quote_status": CONVERTED},
        hubspot.side(modified_at=None),
        genius.side(modified_at=None),
    )

    assert plan.is_empty
