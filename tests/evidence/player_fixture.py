"""A real export package for the offline player's end-to-end test: two cameras recorded
through the segment writer, a camera outage stated as a gap, exported by the export job
(our MP4 writer, signatures, report, verifier and player) into a directory.

- CAM-001 "Place de la Mairie": 09:00:00–09:00:06 UTC, offline (connection lost) until
  09:00:09, then 09:00:09–09:00:15 (10 images/s, 320×240, 120 frames);
- CAM-002 "Gare routière": 09:00:02–09:00:10 UTC.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sentinelle.access.models import CameraScope
from sentinelle.audit.models import Actor
from sentinelle.core.clock import FakeClock
from sentinelle.core.settings import Settings
from sentinelle.db.engine import Database
from sentinelle.evidence import service
from sentinelle.evidence.models import ExportRequest
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind, GapReason, SessionEvent
from sentinelle.ingest.service import record_events
from sentinelle.migrations.runner import upgrade
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.support.footage import record_clip

PLAYER = Path(__file__).resolve().parents[2] / "src" / "sentinelle" / "evidence" / "player"
TIMESCALE = 90_000
START = datetime(2026, 11, 29, 9, 0, 0, tzinfo=UTC)
REFERENCE = "EXP-20261129-00001"  # the first export of the day on a new site


def make_export(tmp_path: Path) -> Path:
    """Record, export and return the package directory (under `tmp_path`)."""
    settings = Settings(data_dir=tmp_path / "data")
    settings.prepare()
    clock = FakeClock(START)
    db = Database.from_url(settings.resolved_database_url)
    rt = Runtime(settings=settings, db=db, clock=clock, site_secret=secrets.token_bytes(32))
    try:
        upgrade(rt.db.engine)
        camera_ids = _record(rt, tmp_path / "clips")
        clock.set(START + timedelta(hours=1, minutes=12, seconds=3))
        return _export(rt, camera_ids, tmp_path / "exports")
    finally:
        rt.close()


def _record(rt: Runtime, clips: Path) -> list[int]:
    clips.mkdir(parents=True, exist_ok=True)
    auth = f.authorisation(rt)
    zone = f.zone(rt, auth.id)
    mairie = f.camera(
        rt,
        zone.id,
        "CAM-001",
        name="Place de la Mairie",
        address="Place de la Mairie, angle rue de la République",
    )
    gare = f.camera(
        rt, zone.id, "CAM-002", name="Gare routière", address="Avenue de la Gare, quai des bus"
    )
    before = write_clip(clips / "a.mp4", 6, fps=10, gop_seconds=2, speed=7, shade=200)
    after = write_clip(clips / "b.mp4", 6, fps=10, gop_seconds=2, speed=5, shade=170)
    other = write_clip(clips / "c.mp4", 8, fps=10, gop_seconds=2, speed=13, shade=120)
    record_clip(rt, mairie.id, before, START)
    record_clip(rt, mairie.id, after, START + timedelta(seconds=9))
    record_clip(rt, gare.id, other, START + timedelta(seconds=2))
    lost = START + timedelta(seconds=6)
    record_events(
        rt,
        [
            SessionEvent(mairie.id, EventKind.DISCONNECTED, lost, "", GapReason.LOST),
            SessionEvent(mairie.id, EventKind.CONNECTED, lost + timedelta(seconds=3)),
        ],
    )
    return [mairie.id, gare.id]


def _export(rt: Runtime, camera_ids: list[int], out: Path) -> Path:
    request = ExportRequest.model_validate(
        {
            "camera_ids": camera_ids,
            "from": START,
            "to": START + timedelta(seconds=15),
            "reason": "Réquisition judiciaire : vol à l'arraché signalé place de la Mairie",
            "requisition": "PV 2026/004512",
            "officer": "OPJ Martin",
        }
    )
    row = service.do_request_export(
        rt, Actor.cli("agent.dupont"), request, CameraScope.everything(), out
    )
    service.claim_next(rt, row.id)
    done = service.run_export(rt, row.id)
    if done.status != "done":
        msg = f"the fixture export failed: {done.error_code} {done.error_message}"
        raise RuntimeError(msg)
    return Path(done.package_path)
