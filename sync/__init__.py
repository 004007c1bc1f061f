"""The sync side: engine, runs, identity, arq jobs, and the API clients.

Reflex states and HTTP routes call the service functions here (tenants,
runs, activity) so that the portal and the HubSpot settings page can never
disagree about a tenant.
"""
