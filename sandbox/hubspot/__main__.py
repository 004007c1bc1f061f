"""`python -m sandbox.hubspot`: serve the HubSpot sandbox (see README.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from sandbox.hubspot.app import Sandbox, build_app
from sandbox.hubspot.server import initial_world

# The connector's webhook route under the development settings' public URL.
DEFAULT_WEBHOOK_URL = "http://localhost:3000/webhooks/hubspot"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox.hubspot")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument(
        "--state",
        type=Path,
        default=Path("data/sandbox/hubspot.json"),
        help="state file: loaded when present, saved after changes",
    )
    parser.add_argument(
        "--seed", type=Path, help="fixture used only when the state file is absent"
    )
    parser.add_argument(
        "--webhook-url",
        help=f"where the apps' webhooks go (default for an app without one: "
        f"{DEFAULT_WEBHOOK_URL})",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    world = initial_world(args.state, args.seed)
    for app in world.apps.values():
        if args.webhook_url or not app.webhook_url:
            app.webhook_url = args.webhook_url or DEFAULT_WEBHOOK_URL
    sandbox = Sandbox(world, state_path=args.state)
    sandbox.save()
    uvicorn.run(build_app(sandbox), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
