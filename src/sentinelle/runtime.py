"""Runtime: what a use case needs from its process — settings, database, clock, sealed box.

Built once by an entry point (`serve`, a CLI command, a test) and handed to the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sentinelle.core.clock import Clock, SystemClock
from sentinelle.core.settings import Settings
from sentinelle.core.sitekey import SecretBox, load_or_create_secret
from sentinelle.db.engine import Database


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    site_secret: bytes = b""

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        """Prepare the data directory, load (or create) the site secret, connect the database."""
        settings.prepare()
        secret = load_or_create_secret(settings.resolved_secret_key_file)
        db = Database.from_url(settings.resolved_database_url)
        return cls(settings=settings, db=db, clock=clock or SystemClock(), site_secret=secret)

    def box(self, purpose: str) -> SecretBox:
        return SecretBox(self.site_secret, purpose)

    def now(self) -> datetime:
        return self.clock.now()

    def close(self) -> None:
        self.db.dispose()
