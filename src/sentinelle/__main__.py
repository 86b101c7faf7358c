"""`python -m sentinelle` runs the command line (used to start worker processes)."""

from sentinelle.cli.main import app

app()
