"""The Reflex app: admin portal pages, their states, and the HTTP routes."""
