"""Registry fixtures: the API's client and town (every role logged in)."""

from tests.api.conftest import client, town

__all__ = ["client", "town"]
