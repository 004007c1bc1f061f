"""The sync engine: one run of one tenant, from changes read to both sides written.

run.py        the job: lock, status, error handling, the summary line
changes.py    what changed since the cursors, on both sides
customers.py  HubSpot companies <-> Genius customers (identity, creation)
quotes.py     HubSpot deals <-> Genius quotes (creation, merge, lines)
scope.py      what a run carries: tenant, clients, mapping, recorder
recorder.py   counts, progress and log events, written as the run goes
"""
