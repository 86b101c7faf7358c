"""Command line (Typer): scripted administration and the process entry points."""
