"""Persistence: tables, sessions, migrations and encryption of secrets.

Imports nothing of the project above it (only `runtime`), and never Reflex,
so the arq worker and Alembic load the models on their own.
"""
