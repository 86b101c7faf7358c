"""The demo town: a fictional commune with one authorisation, three zones, eight cameras,
camera groups and a few accounts, created through the same use cases an administrator uses."""
