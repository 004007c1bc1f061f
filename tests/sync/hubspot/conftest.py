"""The HubSpot side's fixtures (defined in hubspot_fixtures.py, shared with
the route tests)."""

from tests.sync.hubspot.hubspot_fixtures import (  # noqa: F401
    hubspot_sandbox,
    tenant_id,
)
