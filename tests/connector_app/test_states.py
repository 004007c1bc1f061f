"""The portal's state handlers driven as plain Python on the test database.

Each handler is called the way Reflex calls it (`Handler.fn(state, ...)`), on a
fresh state tree, and checked through the state it leaves and the redirect it
returns.
"""

from __future__ import annotations

import pytest
import redis
from reflex.istate.data import RouterData
from sqlmodel import select

from connector_app.states.base import PortalState
from connector_app.states.logs import PAGE_SIZE, LogsState
from connector_app.states.signin import SignInState
from connector_app.states.tenant import TenantState
from connector_app.states.tenants import TenantsState
from runtime.settings import get_settings
from store.db import session_scope
from store.models import LogEvent, RunStatus, SyncRun, Tenant, TenantStatus
from store.types import utcnow
from sync.activity import record_event
from sync.operators import ensure_operator
from sync.queue import QUEUE_NAME
from sync.runs import get_run, mark_started
from tests.connector_app.conftest import make_state, redirect_target


def visit(state, path: str, query: dict[str, str] | None = None) -> None:
    state.router = RouterData.from_router_data(
        {
            "headers": {"origin": "http://127.0.0.1:3000"},
            "asPath": path,
            "pathname": path,
            "query": query or {},
        }
    )


@pytest.mark.parametrize(
    ("cls", "path"),
    [
        pytest.param(TenantsState, "/tenants", id="tenants"),
        pytest.param(TenantState, "/tenants/1", id="tenant"),
        pytest.param(LogsState, "/logs", id="logs"),
    ],
)
@pytest.mark.parametrize("token", ["", "forged.token"], ids=["signed-out", "forged"])
async def test_pages_send_signed_out_visitors_to_sign_in(db, cls, path, token):
    state = make_state(cls, signed_in_as=None)
    state.access_token = token
    visit(state, path)
    assert cls.open.fn(state) is PortalState.sign_out
    assert redirect_target(await PortalState.sign_out.fn(state)) == "/signin"
    assert state.operator_email == ""


@pytest.mark.parametrize(
    ("form", "error"),
    [
        pytest.param({"email": "", "password": ""}, "Type your email", id="empty"),
        pytest.param(
            {"email": "ops@example.com", "password": "nope"},
            "do not match",
            id="wrong-password",
        ),
        pytest.param(
            {"email": "nobody@example.com", "password": "s3cret!"},
            "do not match",
            id="unknown-email",
        ),
    ],
)
async def test_sign_in_refuses_bad_credentials(db, redis, form, error):
    ensure_operator("ops@example.com", "s3cret!")
    state = make_state(SignInState, signed_in_as=None)
    assert await SignInState.submit.fn(state, form) is None
    assert error in state.error
    assert state.access_token == ""


async def test_sign_in_keeps_a_token_that_survives_a_new_state_tree(db, redis):
    ensure_operator("ops@example.com", "s3cret!")
    state = make_state(SignInState, signed_in_as=None)
    form = {"email": " OPS@example.com ", "password": "s3cret!"}
    assert redirect_target(await SignInState.submit.fn(state, form)) == "/tenants"

    # A reload brings the stored token back into a brand-new state tree.
    reloaded = make_state(TenantsState, signed_in_as=None)
    reloaded.access_token = state.access_token
    assert TenantsState.open.fn(reloaded) is None
    assert reloaded.operator_email == "ops@example.com"


def test_sign_in_page_skips_the_form_when_signed_in(db):
    state = make_state(SignInState)
    assert redirect_target(SignInState.open.fn(state)) == "/tenants"


def test_tenants_list_shows_and_toggles_tenants(tenant):
    state = make_state(TenantsState)
    TenantsState.open.fn(state)
    assert [row["name"] for row in state.rows] == [tenant.name]
    assert state.rows[0]["status"] == "active"

    TenantsState.toggle.fn(state, str(tenant.id), False)
    assert state.rows[0]["status"] == "disabled"
    TenantsState.toggle.fn(state, str(tenant.id), True)
    assert state.rows[0]["status"] == "active"


def add_run(tenant_id: int, status: str, counts: dict[str, int]) -> SyncRun:
    with session_scope() as session:
        run = SyncRun(
            tenant_id=tenant_id,
            trigger="manual",
            status=status,
            counts=counts,
            started_at=utcnow(),
            finished_at=utcnow(),
        )
        session.add(run)
        session.flush()
        for n in range(3):
            record_event(
                session,
                tenant_id=tenant_id,
                run_id=run.id,
                event="deal.created",
                message=f"deal {n}",
                hubspot_id=str(2001 + n),
            )
    return run


def test_tenant_page_shows_the_latest_run_with_its_lines(tenant):
    add_run(tenant.id, RunStatus.FAILED, {})
    run = add_run(tenant.id, RunStatus.SUCCEEDED, {"created": 3})
    state = make_state(TenantState)
    visit(state, f"/tenants/{tenant.id}")

    assert TenantState.open.fn(state) is None
    assert state.tenant["name"] == tenant.name
    assert state.run["id"] == str(run.id)
    assert state.run["counts"] == "created 3"
    assert len(state.runs) == 2
    assert [line["message"] for line in state.lines] == ["deal 0", "deal 1", "deal 2"]


@pytest.mark.parametrize(
    ("path", "error"),
    [
        pytest.param("/tenants/999", "no tenant with id 999", id="unknown-id"),
        pytest.param("/tenants/abc", "names no tenant", id="not-a-number"),
    ],
)
def test_tenant_page_explains_a_wrong_address(db, path, error):
    state = make_state(TenantState)
    visit(state, path)
    TenantState.open.fn(state)
    assert error in state.error
    assert state.tenant == {}


@pytest.fixture
def queue(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> redis.Redis:
    monkeypatch.setattr(get_settings(), "redis_url", redis_url)
    client = redis.Redis.from_url(redis_url)
    client.delete(QUEUE_NAME)
    yield client
    client.close()


async def test_sync_now_enqueues_one_run_and_starts_watching_it(tenant, queue):
    state = make_state(TenantState)
    state._show_tenant(tenant.id)

    follow_up = await TenantState.sync_now.fn(state)
    assert follow_up is not None and follow_up.fn.__name__ == "watch_run"
    assert state.run["status"] == "queued"
    assert queue.zcard(QUEUE_NAME) == 1

    # A second click while the run waits gets the same run, not another job.
    await TenantState.sync_now.fn(state)
    with session_scope() as session:
        assert len(session.exec(select(SyncRun)).all()) == 1
    assert queue.zcard(QUEUE_NAME) == 1


async def test_sync_now_on_a_disabled_tenant_says_why(tenant, queue):
    with session_scope() as session:
        session.get(Tenant, tenant.id).status = TenantStatus.DISABLED
    state = make_state(TenantState)
    state._show_tenant(tenant.id)
    assert await TenantState.sync_now.fn(state) is None
    assert "enable or reconnect it" in state.error
    assert queue.zcard(QUEUE_NAME) == 0


@pytest.mark.parametrize(
    ("text", "schedule", "error"),
    [
        pytest.param("30", "every 30 minutes", "", id="thirty-minutes"),
        pytest.param("", "off", "", id="off"),
        pytest.param("2", "off", "out of range", id="too-often"),
        pytest.param("soon", "off", "whole minutes", id="not-a-number"),
    ],
)
def test_schedule_is_saved_or_explained(tenant, text, schedule, error):
    state = make_state(TenantState)
    state._show_tenant(tenant.id)
    TenantState.set_schedule_text.fn(state, text)
    TenantState.save_schedule.fn(state)
    assert state.tenant["schedule"] == schedule
    assert (error in state.error) if error else state.error == ""


def test_tenant_page_disables_and_enables(tenant):
    state = make_state(TenantState, signed_in_as="ops@example.com")
    state._show_tenant(tenant.id)
    TenantState.toggle_enabled.fn(state)
    assert state.tenant["status"] == "disabled"
    assert state.tenant["status_reason"] == "disabled by ops@example.com"
    TenantState.toggle_enabled.fn(state)
    assert state.tenant["status"] == "active"


def add_events(tenant_id: int, count: int) -> None:
    with session_scope() as session:
        for n in range(count):
            level = "error" if n % 10 == 0 else "info"
            record_event(
                session,
                tenant_id=tenant_id,
                event=f"deal.step{n % 3}",
                level=level,
                message=f"event number {n}",
                hubspot_id=str(9000 + n),
            )


def test_log_explorer_pages_back_and_forth_newest_first(tenant):
    add_events(tenant.id, PAGE_SIZE * 2 + 5)
    state = make_state(LogsState)
    visit(state, "/logs", {"tenant": str(tenant.id)})
    LogsState.open.fn(state)
    first_page = [row["id"] for row in state.events]
    assert len(first_page) == PAGE_SIZE and state.has_older
    assert first_page == sorted(first_page, key=int, reverse=True)

    LogsState.older.fn(state)
    LogsState.older.fn(state)
    assert len(state.events) == 5 and not state.has_older
    assert state.page_number == 2

    LogsState.newer.fn(state)
    LogsState.newer.fn(state)
    assert [row["id"] for row in state.events] == first_page


@pytest.mark.parametrize(
    ("form", "expected_count"),
    [
        pytest.param({"level": "error"}, 3, id="level-and-above"),
        pytest.param({"event": "deal.step1"}, 10, id="event-prefix"),
        pytest.param({"record": "9004"}, 1, id="record-id"),
        pytest.param({"text": "number 7"}, 1, id="text"),
        pytest.param({"level": "error", "text": "number 2"}, 1, id="combined"),
    ],
)
def test_log_explorer_filters(tenant, form, expected_count):
    add_events(tenant.id, 30)
    state = make_state(LogsState)
    visit(state, "/logs")
    LogsState.open.fn(state)
    LogsState.apply.fn(state, {"tenant": str(tenant.id), **form})
    assert len(state.events) == expected_count
    assert state.error == ""


def test_log_explorer_explains_a_wrong_run_id(tenant):
    state = make_state(LogsState)
    visit(state, "/logs")
    LogsState.open.fn(state)
    LogsState.apply.fn(state, {"tenant": str(tenant.id), "run": "seven"})
    assert "run 'seven' is not a number" in state.error


def test_log_explorer_with_no_tenant_shows_nothing(db):
    state = make_state(LogsState)
    visit(state, "/logs")
    LogsState.open.fn(state)
    assert state.tenant_choice == "" and state.events == []
    with session_scope() as session:
        assert session.exec(select(LogEvent)).all() == []


def test_tenant_page_keeps_the_watched_run_when_a_newer_one_is_queued(tenant):
    watched = add_run(tenant.id, RunStatus.SUCCEEDED, {"created": 3})
    with session_scope() as session:
        session.add(SyncRun(tenant_id=tenant.id, trigger="genius_webhook"))
    state = make_state(TenantState)

    state._show_tenant(tenant.id, watched.id)

    assert state.run["id"] == str(watched.id)
    assert state.run["finished"] == "yes"
    assert len(state.runs) == 2
    assert state.run_percent == 0


def open_tenant_page(tenant: Tenant, **kwargs) -> TenantState:
    state = make_state(TenantState, **kwargs)
    visit(state, f"/tenants/{tenant.id}")
    TenantState.open.fn(state)
    return state


async def test_the_first_run_shows_in_recent_runs_while_it_waits(tenant, queue):
    state = open_tenant_page(tenant)
    assert state.runs == []

    await TenantState.sync_now.fn(state)

    assert [(r["id"], r["status"]) for r in state.runs] == [(state.run["id"], "queued")]


async def test_the_queued_notice_goes_when_the_run_starts(tenant, queue):
    state = open_tenant_page(tenant)
    await TenantState.sync_now.fn(state)
    run_id = int(state.run["id"])
    assert f"Run {run_id} queued" in state.notice

    # A poll while the run still waits keeps the notice true and shown.
    state._take_poll(tenant.id, run_id, get_run(tenant.id, run_id), [])
    assert f"Run {run_id} queued" in state.notice

    with session_scope() as session:
        mark_started(session, session.get(SyncRun, run_id))
    state._take_poll(tenant.id, run_id, get_run(tenant.id, run_id), [])

    assert state.notice == ""
    assert state.run["status"] == "running"
    assert state.runs[0]["status"] == "running"


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        pytest.param(
            "save_schedule",
            "toggle_enabled",
            "Tenant disabled",
            id="disable-after-save",
        ),
        pytest.param(
            "toggle_enabled",
            "save_schedule",
            "every 30 minutes. Paused while the tenant is disabled.",
            id="save-while-disabled",
        ),
        pytest.param("save_schedule", "open", "", id="reopening-clears"),
    ],
)
def test_each_action_replaces_the_notice(tenant, first, then, expected):
    state = open_tenant_page(tenant)
    for action in (first, then):
        TenantState.set_schedule_text.fn(state, "30")
        TenantState.event_handlers[action].fn(state)
        assert state.error == ""
        if action == first:
            assert state.notice != ""

    assert (expected in state.notice) if expected else state.notice == ""
    if "Tenant" not in expected:
        assert "Tenant disabled" not in state.notice
    if then != "save_schedule":
        assert "Schedule saved" not in state.notice


def test_a_disabled_tenant_shows_its_schedule_paused(tenant):
    state = open_tenant_page(tenant)
    TenantState.set_schedule_text.fn(state, "30")
    TenantState.save_schedule.fn(state)
    assert state.tenant["next_run"].startswith("Next run ")

    TenantState.toggle_enabled.fn(state)

    assert state.tenant["next_run"] == "Paused while the tenant is disabled."
    assert state.tenant["can_sync"] == ""


def test_an_uninstalled_tenant_offers_no_action_and_says_why(tenant):
    with session_scope() as session:
        stored = session.get(Tenant, tenant.id)
        stored.status = TenantStatus.UNINSTALLED
    state = open_tenant_page(tenant)

    assert (state.tenant["installed"], state.tenant["can_sync"]) == ("", "")
    assert "installs the app again from HubSpot" in state.tenant["status_note"]


def test_run_lines_name_the_records_they_are_about(tenant):
    run = add_run(tenant.id, RunStatus.PARTIAL, {"errors": 1})
    with session_scope() as session:
        record_event(
            session,
            tenant_id=tenant.id,
            run_id=run.id,
            event="deal.failed",
            level="error",
            message="Genius refused the quote: unknown part",
            object_kind="deal",
            hubspot_id="2001",
            genius_id="Q-17",
        )
    state = open_tenant_page(tenant)

    assert state.lines[-1]["record"] == "HubSpot deal 2001 ↔ Genius quote Q-17"
    assert state.lines[0]["record"] == "HubSpot 2001"
    assert state.run["counts"] == "errors 1"


async def test_a_watch_stops_without_refilling_a_signed_out_tab(tenant, queue):
    state = open_tenant_page(tenant)
    await TenantState.sync_now.fn(state)
    run_id = int(state.run["id"])

    await PortalState.sign_out.fn(state)
    run = get_run(tenant.id, run_id)

    assert state._take_poll(tenant.id, run_id, run, []) == ""
    assert state._end_watch(tenant.id, run_id) is False
    assert (state.tenant, state.run, state.runs, state.lines) == ({}, {}, [], [])
