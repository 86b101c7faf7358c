"""Disclosure fixtures: CAM-001 recorded a generated clip, exported whole; helpers to request
a disclosure of its video and run the waiting jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from sentinelle.access.models import CameraScope
from sentinelle.audit.models import Actor
from sentinelle.core.clock import FakeClock
from sentinelle.disclosure import service, source
from sentinelle.disclosure.models import DisclosureRequest
from sentinelle.disclosure.tables import DisclosureRow
from sentinelle.evidence.tables import ExportRow
from sentinelle.ingest.clips import write_clip
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime
from sentinelle.workers import disclosures as runner
from tests import factories as f
from tests.conftest import START
from tests.evidence.conftest import export
from tests.support.footage import record_clip

AGENT = Actor.cli("agent.dupont")


@pytest.fixture(scope="session")
def plain_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("disclosure-clips")
    return write_clip(folder / "plain.mp4", 6, width=320, height=240, fps=10, gop_seconds=2)


@dataclass
class Exported:
    cameras: list[CameraRow]
    export: ExportRow
    file: str  # the video's path in the package


def export_clip(rt: Runtime, clock: FakeClock, clip: Path, tmp: Path) -> Exported:
    """Record `clip` on CAM-001 at START, export it whole, return the export and its video."""
    _, _, cameras = f.town(rt)
    segments = record_clip(rt, cameras[0].id, clip, START)
    clock.set(START + timedelta(hours=1))
    end = max(seg.end for seg in segments)
    row = export(rt, [cameras[0].id], START, end, tmp / "exports")
    assert row.status == "done", row.error_message
    (item,) = source.items(row)
    return Exported(cameras, row, item["file"])


@pytest.fixture
def exported(rt: Runtime, clock: FakeClock, plain_clip: Path, tmp_path: Path) -> Exported:
    return export_clip(rt, clock, plain_clip, tmp_path)


def request(rt: Runtime, exported: Exported, **extra: object) -> DisclosureRow:
    body = DisclosureRequest.model_validate(
        {
            "export_id": exported.export.id,
            "file": exported.file,
            "purpose": "access_request",
            "recipient": "Mme Dupont (demande d'accès)",
            "reason": "Droit d'accès, courrier du 2 décembre",
            **extra,
        }
    )
    return service.do_request_disclosure(rt, AGENT, body, CameraScope.everything())


def run_jobs(rt: Runtime) -> int:
    return runner.run_pending(rt)
