"""Live fixtures: the API's (a client, a town with every role logged in)."""

from tests.api.conftest import client, town

__all__ = ["client", "town"]
