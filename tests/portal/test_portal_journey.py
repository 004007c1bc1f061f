"""The operator's journey in a real browser, against a whole stack.

The launcher starts Redis, both sandboxes, the arq worker and the Reflex app
in production mode on free ports with a temporary DATA_DIR, and seeds the
demo tenant through the real OAuth flow. Debian's chromium, driven by
Playwright, then signs in, opens the demo tenant, clicks "Sync now" and waits
until the run shows as finished with its counts and the records of its lines.
It also checks what a newcomer or an attacker meets: an email locked after five
wrong passwords, a framed page for unknown addresses, and a signed-out tab that
receives nothing of the tenant it used to show.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from connector_app.states.logs import LogsState
from runtime.launcher import launched_stack
from store.db import get_engine

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FINISHED = re.compile(r"^(succeeded|partial|failed)$")

# Speaks Engine.IO 4 / Socket.IO 5 by hand, as a script in any page could:
# join Reflex's `/_event` namespace, send one event, collect the answers.
RAW_EVENT_JS = """
async ({url, event}) => {
  const frames = [];
  const socket = new WebSocket(url);
  socket.onmessage = ({data}) => {
    frames.push(data);
    const packet = JSON.stringify(["event", event]);
    if (data.startsWith("0{")) socket.send("40/_event,");
    else if (data.startsWith("40/_event")) socket.send("42/_event," + packet);
    else if (data === "2") socket.send("3");
  };
  await new Promise((done) => setTimeout(done, 4000));
  socket.close();
  return frames;
}
"""


def empty_tables() -> None:
    """Start from an empty database, so the demo tenant is installed afresh."""
    engine = get_engine()
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(text(f'DELETE FROM "{table.name}"'))


@pytest.fixture(scope="module")
def stack(
    migrated_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    empty_tables()
    data_dir = tmp_path_factory.mktemp("portal") / "data"
    # A cold frontend install and production build take minutes on two cores.
    with launched_stack(data_dir, portal=True, timeout_s=900) as ready:
        yield ready


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def sign_in(page: Any, stack: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    page.goto(f"{stack['app_url']}/tenants", wait_until="networkidle")
    expect(page).to_have_url(re.compile(r"/signin/?$"), timeout=30_000)
    page.fill("#email", stack["operator_email"])
    page.fill("#password", stack["operator_password"])
    page.click("#sign-in")
    expect(page).to_have_url(re.compile(r"/tenants/?$"), timeout=30_000)


def test_wrong_password_keeps_the_operator_out(stack, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(f"{stack['app_url']}/signin", wait_until="networkidle")
    page.fill("#email", stack["operator_email"])
    page.fill("#password", "not-the-password")
    page.click("#sign-in")
    expect(page.locator("#error")).to_contain_text("do not match", timeout=30_000)
    expect(page).to_have_url(re.compile(r"/signin/?$"))
    page.close()


def test_five_wrong_passwords_lock_the_email(stack, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(f"{stack['app_url']}/signin", wait_until="networkidle")
    error = page.locator("#error")
    for n in range(5):
        page.fill("#email", "guesser@example.com")
        page.fill("#password", f"guess number {n}")
        page.click("#sign-in")
        if n == 0:
            expect(error).to_contain_text("do not match", timeout=30_000)
        # A tab's events run one after another, so the answers keep this order.
        page.wait_for_timeout(300)
    expect(error).to_contain_text("Too many failed sign-ins", timeout=30_000)
    expect(error).to_contain_text(re.compile(r"try again after \d\d:\d\d UTC"))
    expect(page).to_have_url(re.compile(r"/signin/?$"))
    page.close()


def test_operator_syncs_the_demo_tenant_and_sees_the_run_finish(
    stack, browser, tmp_path_factory
):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    sign_in(page, stack)

    page.locator(".tenant-link").first.click()
    tenant_url = re.compile(rf"/tenants/{stack['tenant_id']}/?$")
    expect(page).to_have_url(tenant_url, timeout=30_000)
    expect(page.locator("#tenant-status")).to_have_text("active", timeout=30_000)
    expect(page.locator("#genius")).to_contain_text("USINAGEBC")

    # The sign-in survives a reload.
    page.reload(wait_until="networkidle")
    expect(page).to_have_url(tenant_url)
    expect(page.locator("#sync-now")).to_be_enabled(timeout=30_000)

    page.click("#sync-now")
    # The run is listed under "Recent runs" while it waits or runs.
    recent = page.locator("#recent-runs tbody tr")
    expect(recent.first).to_contain_text(re.compile("queued|running"))
    expect(page.locator("#run-status")).to_have_text(FINISHED, timeout=300_000)
    shot = tmp_path_factory.getbasetemp() / "portal-after-sync.png"
    page.screenshot(path=str(shot), full_page=True)
    expect(page.locator("#run-status")).to_have_text("succeeded")
    expect(page.locator("#run-counts")).to_contain_text(re.compile(r"created \d+"))
    expect(page.locator("#run-counts")).not_to_contain_text("_")
    expect(page.locator("#run-duration")).to_contain_text(" s")
    assert page.locator(".run-line").count() > 0
    expect(page.locator(".run-line-record").first).to_contain_text("HubSpot")
    expect(page.locator("#recent-runs tbody tr").first).to_contain_text("succeeded")
    expect(page.locator("#notice")).to_have_count(0)
    page.close()


def test_an_unknown_address_keeps_the_portal_frame(stack, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(f"{stack['app_url']}/no/such/page", wait_until="networkidle")
    expect(page.locator("#not-found")).to_be_visible(timeout=30_000)
    page.click("#back-home")
    expect(page).to_have_url(re.compile(r"/(signin|tenants)/?$"), timeout=30_000)
    page.close()


def test_a_signed_out_tab_receives_nothing_of_the_last_tenant(stack, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    received: list[str] = []
    page.on(
        "websocket",
        lambda socket: socket.on(
            "framereceived", lambda frame: received.append(str(frame))
        ),
    )
    sign_in(page, stack)
    tenant_path = f"{stack['app_url']}/tenants/{stack['tenant_id']}"
    page.goto(tenant_path, wait_until="networkidle")
    expect(page.locator("#genius")).to_contain_text("USINAGEBC", timeout=30_000)
    assert any("USINAGEBC" in frame for frame in received)

    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/signin/?$"), timeout=30_000)
    received.clear()
    page.goto(tenant_path, wait_until="networkidle")
    expect(page).to_have_url(re.compile(r"/signin/?$"), timeout=30_000)
    page.wait_for_timeout(1_000)

    assert received, "the tab should still talk to the backend"
    assert not [frame for frame in received if "USINAGEBC" in frame]
    page.close()


def test_a_signed_out_socket_cannot_read_a_tenants_log(stack, browser):
    """The attack found on a fresh clone: a signed-out tab asks the log
    explorer for tenant 1 over the websocket and used to get its rows."""
    page = browser.new_page()
    page.goto(f"{stack['app_url']}/signin", wait_until="networkidle")
    ws_url = stack["app_url"].replace("http://", "ws://")
    token = "0b5e1c1e-7a43-4c39-9f7d-signedout0001"
    event = {
        "name": f"{LogsState.get_full_name()}.set_tenant_choice",
        "payload": {"tenant_id": str(stack["tenant_id"])},
        "router_data": {"pathname": "/logs", "query": {}, "asPath": "/logs"},
    }
    url = f"{ws_url}/_event/?token={token}&EIO=4&transport=websocket"

    frames = page.evaluate(RAW_EVENT_JS, {"url": url, "event": event})

    answers = [frame for frame in frames if frame.startswith("42/_event")]
    assert answers, f"the backend answered nothing: {frames}"
    assert any("/signin" in frame for frame in answers)
    assert not [frame for frame in answers if "quote.created" in frame]
    page.close()
