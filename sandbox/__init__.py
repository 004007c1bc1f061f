"""Runnable simulators of HubSpot and Genius ERP, for the demo, tests and benchmarks.

They import nothing of the product: they stand where the real systems would.
"""
