"""The mapping engine: pure functions from records and a mapping to a plan.

No I/O, no clock, no randomness, no database, no HTTP: a test checks that
nothing here imports such modules.
"""
