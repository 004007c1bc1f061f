"""One small state per page, all under `PortalState`, which knows who is signed in."""
