"""Playback fixtures: a town with every role logged in (tests/api), and real footage recorded
through the segment writer: CAM-001 (in group 'Centre') and CAM-002 each record the 20-second
clip twice, at `FIRST` and at `SECOND` (a 40-second gap between), in 6-second segments."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.api.app import create_app
from sentinelle.core.clock import FakeClock
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from tests.api.conftest import Town
from tests.conftest import START
from tests.support.footage import record_clip

CLIP_SECONDS = 20
FPS = 10
FIRST = START + timedelta(minutes=10)
SECOND = FIRST + timedelta(seconds=60)
NOW = START + timedelta(hours=1)
SEGMENT = timedelta(seconds=6)


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """320×240, 10 fps, a keyframe every 2 s, a block moving 7 pixels a frame."""
    path = tmp_path_factory.mktemp("playback") / "clip.mp4"
    return write_clip(path, CLIP_SECONDS, fps=FPS, gop_seconds=2)


@dataclass
class Site:
    rt: Runtime
    town: Town
    footage: dict[int, list[FinishedSegment]]

    @property
    def cam(self) -> int:
        return self.town.in_scope.id

    @property
    def other(self) -> int:
        return self.town.out_of_scope.id

    def headers(self, role: Role) -> dict[str, str]:
        return self.town.headers(role)

    def file(self, segment: FinishedSegment) -> Path:
        return layout.recordings_root(self.rt.settings.resolved_data_dir) / segment.path

    def segment_id(self, segment: FinishedSegment) -> int:
        with self.rt.db.read() as s:
            found = s.execute(
                sa.text("SELECT id FROM segments WHERE path = :p"), {"p": segment.path}
            ).scalar_one()
            return int(found)


@pytest.fixture
def site(rt: Runtime, clock: FakeClock, clip: Path) -> Site:
    town = Town(rt)
    footage: dict[int, list[FinishedSegment]] = {}
    for camera in (town.in_scope, town.out_of_scope):
        footage[camera.id] = [
            *record_clip(rt, camera.id, clip, FIRST, SEGMENT),
            *record_clip(rt, camera.id, clip, SECOND, SEGMENT),
        ]
    clock.set(NOW)
    return Site(rt, town, footage)


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(rt), base_url="http://127.0.0.1") as c:
        yield c


def journal(rt: Runtime, action: str) -> list[dict[str, object]]:
    """The journal entries of one action, oldest first."""
    with rt.db.read() as s:
        rows = s.execute(
            sa.text(
                "SELECT actor_name, camera_id, target_id, reason, details FROM audit_entries "
                "WHERE action = :a ORDER BY seq"
            ),
            {"a": action},
        )
        return [dict(r._mapping) for r in rows]
