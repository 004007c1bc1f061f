"""Run the sandbox: `python -m sandbox.genius --port 8102 --state FILE`."""

from sandbox.genius.server import main

main()
