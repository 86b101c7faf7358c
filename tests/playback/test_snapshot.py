"""Snapshots are exactly the frame displayed at the instant asked: checked against the whole
segment decoded independently (PyAV, from its first frame)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import av
import av.video.frame
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sentinelle.access.models import Role
from sentinelle.cli.main import app
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.runtime import Runtime
from tests.playback.conftest import FIRST, NOW, SECOND, Site, journal
from tests.support.footage import record_clip

TAKEN = "video.snapshot_taken"
OPERATOR = Role.OPERATOR


@dataclass(frozen=True)
class Decoded:
    instant: datetime
    rgb: bytes


def rgb(frame: av.video.frame.VideoFrame) -> bytes:
    """The frame as packed RGB24 rows (line padding removed)."""
    picture = frame.reformat(format="rgb24")
    plane = picture.planes[0]
    data, width = bytes(plane), picture.width * 3
    return b"".join(
        data[y * plane.line_size : y * plane.line_size + width] for y in range(picture.height)
    )


def decode_all(path: Path, start: datetime) -> list[Decoded]:
    """Every frame of a segment with its instant: start + (pts - first pts) × time base."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f for f in container.decode(stream) if f.pts is not None]
        first = frames[0].pts
        assert first is not None
        assert stream.time_base is not None
        return [
            Decoded(start + timedelta(seconds=float((f.pts - first) * stream.time_base)), rgb(f))
            for f in frames
            if f.pts is not None
        ]


def expected_at(frames: list[Decoded], at: datetime) -> int:
    """Index of the last frame presented at or before `at`."""
    return max(i for i, f in enumerate(frames) if f.instant <= at)


def decode_image(data: bytes) -> bytes:
    with av.open(io.BytesIO(data)) as container:
        return rgb(next(container.decode(video=0)))


def distance(a: bytes, b: bytes) -> float:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def _segment_at(site: Site, at: datetime) -> FinishedSegment:
    return next(s for s in site.footage[site.cam] if s.start <= at < s.end)


def _shoot(client: TestClient, site: Site, at: datetime, fmt: str, role: Role = OPERATOR) -> Any:
    body = {"at": at.isoformat(), "format": fmt, "reason": "Accident rue Hoche"}
    return client.post(f"/api/cameras/{site.cam}/snapshot", json=body, headers=site.headers(role))


OFFSETS = [0.0, 3.05, 3.1, 3.999, 4.0, 5.999, 6.0, 8.73, 19.95]


def test_png_is_exactly_the_displayed_frame(client: TestClient, site: Site) -> None:
    for offset in OFFSETS:
        at = FIRST + timedelta(seconds=offset)
        seg = _segment_at(site, at)
        frames = decode_all(site.file(seg), seg.start)
        index = expected_at(frames, at)
        response = _shoot(client, site, at, "png")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "image/png"
        assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert decode_image(response.content) == frames[index].rgb, offset
        frame_time = datetime.fromisoformat(response.headers["x-frame-time"])
        assert frame_time == frames[index].instant
        assert response.headers["x-camera-code"] == "CAM-001"
    assert len(journal(site.rt, TAKEN)) == len(OFFSETS)


def test_jpeg_is_closest_to_the_displayed_frame(client: TestClient, site: Site) -> None:
    for offset in (3.05, 4.0, 11.99):
        at = FIRST + timedelta(seconds=offset)
        seg = _segment_at(site, at)
        frames = decode_all(site.file(seg), seg.start)
        index = expected_at(frames, at)
        response = _shoot(client, site, at, "jpeg")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "image/jpeg"
        image = decode_image(response.content)
        closest = distance(image, frames[index].rgb)
        assert closest < 2.0
        neighbours = [frames[i].rgb for i in (index - 1, index + 1) if 0 <= i < len(frames)]
        assert all(closest < distance(image, other) for other in neighbours)


def test_the_journal_says_who_what_when_and_why(client: TestClient, site: Site) -> None:
    at = FIRST + timedelta(seconds=2)
    assert _shoot(client, site, at, "jpeg").status_code == 200
    (entry,) = journal(site.rt, TAKEN)
    assert entry["actor_name"] == "operator"
    assert entry["camera_id"] == site.cam
    assert entry["reason"] == "Accident rue Hoche"
    details = json.loads(str(entry["details"]))
    assert details["at"] == at.isoformat()
    assert details["format"] == "jpeg"


def test_refusals_serve_nothing_and_journal_nothing(client: TestClient, site: Site) -> None:
    gap, before = FIRST + timedelta(seconds=40), SECOND - timedelta(minutes=30)
    future = NOW + timedelta(seconds=1)
    cases = [
        ({"at": gap.isoformat(), "reason": "r"}, OPERATOR, 404, "no_footage"),
        ({"at": before.isoformat(), "reason": "r"}, OPERATOR, 404, "no_footage"),
        ({"at": future.isoformat(), "reason": "r"}, OPERATOR, 422, "instant_in_future"),
        ({"at": FIRST.isoformat()}, OPERATOR, 422, "reason_required"),
        ({"at": FIRST.isoformat(), "reason": " "}, OPERATOR, 422, "reason_required"),
        ({"at": FIRST.isoformat(), "reason": "r"}, Role.AUDITOR, 403, "permission_denied"),
    ]
    for body, role, status, code in cases:
        url = f"/api/cameras/{site.cam}/snapshot"
        response = client.post(url, json=body, headers=site.headers(role))
        assert (response.status_code, response.json()["code"]) == (status, code), body
    viewer = site.headers(Role.EXTERNAL_VIEWER)
    url = f"/api/cameras/{site.other}/snapshot"
    response = client.post(url, json={"at": FIRST.isoformat(), "reason": "r"}, headers=viewer)
    assert (response.status_code, response.json()["code"]) == (403, "camera_out_of_scope")
    assert journal(site.rt, TAKEN) == []


def test_destroyed_footage_has_no_snapshot(client: TestClient, site: Site) -> None:
    seg = site.footage[site.cam][0]
    with site.rt.db.write() as s:
        s.execute(
            sa.text("UPDATE segments SET state = 'deleting' WHERE path = :p"), {"p": seg.path}
        )
    response = _shoot(client, site, FIRST + timedelta(seconds=1), "png")
    assert response.json()["code"] == "no_footage"


def test_cli_snapshot_writes_a_file_and_journals(rt: Runtime, site: Site, tmp_path: Path) -> None:
    """The CLI runs on the system clock: footage recorded a minute ago."""
    clip = write_clip(tmp_path / "recent.mp4", 4, fps=10)
    anchor = datetime.now().astimezone() - timedelta(minutes=1)
    (recent,) = record_clip(rt, site.cam, clip, anchor)
    env = {
        "SENTINELLE_DATA_DIR": str(rt.settings.resolved_data_dir),
        "SENTINELLE_DATABASE_URL": rt.settings.resolved_database_url,
    }
    at = recent.start + timedelta(seconds=1.5)

    def snapshot(camera: str, out: Path, reason: str, *more: str) -> Any:
        args = ["snapshot", "--camera", camera, "--at", at.isoformat(), "--out", str(out)]
        return CliRunner().invoke(app, [*args, "--reason", reason, *more], env=env)

    png = tmp_path / "shot.png"
    result = snapshot("CAM-001", png, "PV 2026/77")
    assert result.exit_code == 0, result.stderr
    frames = decode_all(site.file(recent), recent.start)
    assert decode_image(png.read_bytes()) == frames[expected_at(frames, at)].rgb
    jpeg = tmp_path / "shot.img"
    result = snapshot(str(site.cam), jpeg, "PV 2026/77", "--format", "jpeg")
    assert result.exit_code == 0, result.stderr
    assert jpeg.read_bytes()[:2] == b"\xff\xd8"
    entries = journal(rt, TAKEN)
    assert [(e["camera_id"], e["reason"]) for e in entries] == [(site.cam, "PV 2026/77")] * 2
    unknown = snapshot("CAM-001", tmp_path / "shot.gif", "r")
    assert (unknown.exit_code, "unknown_image_format" in unknown.stderr) == (2, True)
    no_reason = snapshot("CAM-001", png, " ")
    assert (no_reason.exit_code, "reason_required" in no_reason.stderr) == (2, True)
    missing = snapshot("CAM-404", png, "r")
    assert (missing.exit_code, "camera_not_found" in missing.stderr) == (3, True)
    assert len(journal(rt, TAKEN)) == 2
