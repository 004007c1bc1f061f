"""A local Genius ERP: the API of `docs/genius-erp-api.md`, quirks included.

Run it with `python -m sandbox.genius`; see `sandbox/genius/README.md` for
the fixture format and the `/_sandbox/` admin endpoints.
"""
