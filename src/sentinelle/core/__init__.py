"""Core: settings, clock, errors and time helpers shared by every package (imports nothing else)."""
