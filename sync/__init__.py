"""The sync side: engine, runs, identity, arq jobs, and the API clients.

Reflex states and HTTP routes call the service functions here (tenants,
runs, activity) so that the portal and the HubSpot settings page can never
disagree about a tenant.
"""

import warnings

from authlib.deprecate import AuthlibDeprecationWarning

# authlib 1.9 announces, when imported, a move from httpx to a future `httpx2`
# package; httpx is what this project pins, so the notice is only noise.
# (authlib puts an "always" filter first when imported: this one goes before.)
warnings.filterwarnings(
    "ignore",
    message="The httpx module is deprecated",
    category=AuthlibDeprecationWarning,
)
