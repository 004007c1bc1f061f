"""A local HubSpot: OAuth, the CRM API the connector uses, rate limits, webhooks.

`python -m sandbox.hubspot` serves it; README.md documents the fixture
format and the `/_sandbox/` admin endpoints.
"""
