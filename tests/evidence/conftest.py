"""Evidence fixtures: a town whose CAM-001 recorded a generated clip (two recordings with a
gap between them), and a helper running an export to its end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sentinelle.access.models import CameraScope
from sentinelle.audit.models import Actor
from sentinelle.core.clock import FakeClock
from sentinelle.evidence import service
from sentinelle.evidence.models import ExportRequest
from sentinelle.evidence.tables import ExportRow
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.conftest import START
from tests.support.footage import record_clip

AGENT = Actor.cli("agent.dupont")
SECOND_RUN = START + timedelta(seconds=200)  # after a 70 s gap


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("evidence-clips")
    first = write_clip(folder / "first.mp4", 130, fps=10, gop_seconds=2)
    second = write_clip(folder / "second.mp4", 30, fps=10, gop_seconds=2, shade=120)
    return first, second


@dataclass
class Footage:
    cameras: list[CameraRow]
    segments: list[FinishedSegment]
    clips: tuple[Path, Path]


@pytest.fixture
def footage(rt: Runtime, clock: FakeClock, clips: tuple[Path, Path]) -> Footage:
    """CAM-001 recorded 09:00:00–09:02:10 and 09:03:20–09:03:50 UTC; CAM-002 nothing."""
    _, _, cameras = f.town(rt)
    segments = record_clip(rt, cameras[0].id, clips[0], START)
    segments += record_clip(rt, cameras[0].id, clips[1], SECOND_RUN)
    clock.set(START + timedelta(hours=1))
    return Footage(cameras, segments, clips)


def export(
    rt: Runtime,
    camera_ids: list[int],
    start: datetime,
    end: datetime,
    out: Path,
    **extra: str,
) -> ExportRow:
    """Request an export as the CLI agent and run it to its end."""
    request = ExportRequest.model_validate(
        {"camera_ids": camera_ids, "from": start, "to": end, "reason": "Réquisition", **extra}
    )
    row = service.do_request_export(rt, AGENT, request, CameraScope.everything(), out)
    assert service.claim_next(rt, row.id) == row.id
    return service.run_export(rt, row.id)
