"""The log explorer's filters: each narrows, and typed text means itself."""

import pytest

from store.db import session_scope
from store.models import Tenant
from sync.activity import EventFilter, query_events, record_event


@pytest.fixture
def tenants(db):
    with session_scope() as session:
        mine, other = (
            Tenant(hub_id="1001", name="Mine"),
            Tenant(hub_id="1002", name="Other"),
        )
        session.add_all([mine, other])
        session.flush()
        for text in ("marge de 15% appliquée", "code PO_42 reçu", "rien de spécial"):
            record_event(session, tenant_id=mine.id, event="deal.updated", message=text)
        record_event(
            session, tenant_id=mine.id, event="deal.failed", level="error",
            message="NOPE-1 inconnu", hubspot_id="205",
        )  # fmt: skip
        record_event(session, tenant_id=other.id, event="deal.updated", message="15%")
        return mine.id, other.id


@pytest.mark.parametrize(
    ("wanted", "messages"),
    [
        (EventFilter(text="%"), ["marge de 15% appliquée"]),
        (EventFilter(text="_"), ["code PO_42 reçu"]),
        (EventFilter(level="error"), ["NOPE-1 inconnu"]),
        (EventFilter(event_prefix="deal.f"), ["NOPE-1 inconnu"]),
        (EventFilter(event_prefix="deal_"), []),
        (EventFilter(record_id="205"), ["NOPE-1 inconnu"]),
    ],
    ids=[
        "percent",
        "underscore",
        "level",
        "event-prefix",
        "prefix-underscore",
        "record",
    ],
)
def test_filters_narrow_within_the_tenant(tenants, wanted, messages):
    mine, _other = tenants

    found = query_events(mine, wanted)

    assert [event.message for event in found] == messages


def test_another_tenant_s_events_never_show(tenants):
    mine, other = tenants

    assert {event.tenant_id for event in query_events(mine, EventFilter())} == {mine}
    assert [event.message for event in query_events(other, EventFilter())] == ["15%"]
