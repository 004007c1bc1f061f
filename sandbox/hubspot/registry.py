"""The app registry, the installs and the OAuth grants of the sandbox.

`World` holds everything: the registered apps, the portals, which app is
installed where, and what each token stands for. Changes to records reach
the world's listeners (the webhook sender, the state saver).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.hubspot.world import Change, Portal


@dataclass
class App:
    app_id: int
    client_id: str
    client_secret: str
    name: str = "Genius ERP Connector"
    redirect_uris: list[str] = field(default_factory=list)  # empty: any loopback
    webhook_url: str = ""
    max_concurrent: int = 10
    subscriptions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Grant:
    """What a token stands for: one app installed in one portal by one user."""

    hub_id: int
    app_id: int
    user_id: int
    scopes: list[str]
    expires_ms: int = 0  # access tokens only
    refresh_token: str = ""


@dataclass
class World:
    apps: dict[int, App] = field(default_factory=dict)
    portals: dict[int, Portal] = field(default_factory=dict)
    access_tokens: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    installs: set[tuple[int, int]] = field(default_factory=set)  # (app, hub)
    token_ttl_s: int = 1800
    listeners: list[Callable[[int, Change], None]] = field(default_factory=list)

    def add_portal(self, portal: Portal) -> Portal:
        portal.notify = self._broadcast
        self.portals[portal.hub_id] = portal
        return portal

    def _broadcast(self, hub_id: int, change: Change) -> None:
        for listener in self.listeners:
            listener(hub_id, change)

    def app_by_client(self, client_id: str) -> App | None:
        for app in self.apps.values():
            if app.client_id == client_id:
                return app
        return None


def default_app() -> App:
    """The app registered in a fresh sandbox: the development settings' values."""
    return App(
        app_id=777001,
        client_id="sandbox-client-id",
        client_secret="sandbox-client-secret",
        subscriptions=default_subscriptions(),
    )


def default_subscriptions() -> list[dict[str, Any]]:
    subscriptions = []
    watched = {
        "deal": (
            "dealname",
            "amount",
            "closedate",
            "dealstage",
            "pipeline",
            "deal_currency_code",
            "description",
        ),
        "company": (
            "name",
            "domain",
            "website",
            "phone",
            "address",
            "city",
            "state",
            "zip",
            "country",
        ),
        "line_item": ("name", "quantity", "price", "hs_discount_percentage", "hs_sku"),
    }
    for singular, names in watched.items():
        for action in ("creation", "deletion", "merge", "restore", "associationChange"):
            if singular == "line_item" and action == "merge":
                continue
            subscriptions.append({"eventType": f"{singular}.{action}"})
        for name in names:
            subscriptions.append(
                {"eventType": f"{singular}.propertyChange", "propertyName": name}
            )
    for number, subscription in enumerate(subscriptions, start=500001):
        subscription.update(id=number, active=True)
    return subscriptions
