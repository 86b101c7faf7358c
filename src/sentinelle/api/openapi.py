"""Print the OpenAPI document (`python -m sentinelle.api.openapi > docs/openapi.json`)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from sentinelle.api.app import create_app
from sentinelle.core.clock import SystemClock
from sentinelle.core.settings import Settings
from sentinelle.db.engine import Database
from sentinelle.runtime import Runtime


def document() -> dict[str, object]:
    """The OpenAPI document; needs no database (an unused in-memory engine)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url="sqlite://")
        rt = Runtime(settings=settings, db=Database.from_url("sqlite://"), clock=SystemClock())
        return create_app(rt).openapi()


if __name__ == "__main__":
    sys.stdout.write(json.dumps(document(), indent=1, sort_keys=True, ensure_ascii=False) + "\n")
