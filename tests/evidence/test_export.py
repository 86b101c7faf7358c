"""Exports end to end on real recorded segments: lossless (checked by ffprobe), stated
ranges and gaps, signed and verifiable, journalled; and every bad input of the issue."""

from __future__ import annotations

import hashlib
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import av
import pytest
import sqlalchemy as sa

from sentinelle.access.errors import camera_out_of_scope
from sentinelle.access.models import CameraScope
from sentinelle.audit.tables import AuditEntryRow
from sentinelle.core.clock import FakeClock
from sentinelle.core.errors import Forbidden, InvalidInput, SentinelleError
from sentinelle.evidence import service, verifier
from sentinelle.evidence.models import ExportRequest, ExportStatus
from sentinelle.evidence.package import write_zip
from sentinelle.evidence.tables import ExportLineRow
from sentinelle.runtime import Runtime
from sentinelle.storage import layout, sweeper
from sentinelle.storage import repository as storage_repo
from sentinelle.storage.models import Span
from sentinelle.storage.tables import ReadHoldRow
from tests.conftest import START
from tests.evidence.conftest import AGENT, SECOND_RUN, Footage, export
from tests.support.volumes import small_volume

FROM = START + timedelta(seconds=10.05)  # the keyframe at or before it is at 10.0 s


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """Where packages are written (apart from the test database beside it)."""
    return tmp_path / "exports"


def _packet_hashes(path: Path) -> list[str]:
    """SHA-256 of every video packet's data, as ffprobe (an independent reader) sees it."""
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_data_hash",
            "SHA256",
            "-show_entries",
            "packet=data_hash",
            "-of",
            "csv=p=0",
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def _clip_hashes(clip: Path, first: int, last: int) -> list[str]:
    with av.open(str(clip)) as c:
        data = [bytes(p) for p in c.demux(c.streams.video[0]) if p.size]
    return ["SHA256:" + hashlib.sha256(d).hexdigest() for d in data[first:last]]


def _entries(rt: Runtime, action: str) -> list[AuditEntryRow]:
    with rt.db.read() as s:
        return list(
            s.execute(sa.select(AuditEntryRow).where(AuditEntryRow.action == action)).scalars()
        )


def test_export_is_lossless_complete_signed_and_journalled(
    rt: Runtime, footage: Footage, out: Path
) -> None:
    cam = footage.cameras[0]
    row = export(rt, [cam.id], FROM, START + timedelta(seconds=100), out, requisition="PV 1")
    assert (row.status, row.error_code) == (ExportStatus.DONE, "")
    package = Path(row.package_path)
    assert package.name == row.reference
    assert not list(out.glob("*.partial"))
    manifest = json.loads((package / "manifest.json").read_text())
    (item,) = manifest["items"]
    mp4 = package / item["file"]
    # lossless: the packets from the keyframe at 10.0 s to the last before 100 s, bit for bit
    assert _packet_hashes(mp4) == _clip_hashes(footage.clips[0], 100, 1000)
    assert item["covered"] == {
        "from": "2026-11-22T09:00:10.000000Z",
        "to": "2026-11-22T09:01:40.000000Z",
    }
    assert (item["frames"], item["video"]["fps"], item["gaps"]) == (900, 10.0, [])
    assert [s["chain_seq"] for s in item["segments"]] == [1, 2]
    assert verifier.verify_package(package).ok
    assert row.manifest_sha256 == layout.sha256_of(package / "manifest.json")
    with rt.db.read() as s:
        (line,) = s.execute(sa.select(ExportLineRow)).scalars()
    assert (line.camera_code, line.duration_seconds, line.exporter_name) == (
        "CAM-001",
        90.0,
        "agent.dupont",
    )
    assert (line.images_from, line.requisition) == (START + timedelta(seconds=10), "PV 1")
    assert len(_entries(rt, "export.requested")) == len(_entries(rt, "export.completed")) == 1


def test_timed_text_and_metadata_are_readable_by_standard_tools(
    rt: Runtime, footage: Footage, out: Path
) -> None:
    row = export(rt, [footage.cameras[0].id], FROM, START + timedelta(seconds=20), out)
    (mp4,) = (Path(row.package_path) / "video").glob("*.mp4")
    probe = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(mp4)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    kinds = [(s["codec_type"], s["codec_name"]) for s in probe["streams"]]
    assert kinds == [("video", "h264"), ("subtitle", "mov_text")]
    tags = probe["format"]["tags"]
    assert tags["title"].startswith("CAM-001")
    assert "09:00:10.000" in tags["comment"]
    assert tags["creation_time"].startswith("2026-11-22T09:00:10")
    srt = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(mp4), "-map", "0:s", "-f", "srt", "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "CAM-001 · Caméra CAM-001 · 22/11/2026 10:00:10 (Europe/Paris) · 09:00:10 UTC" in srt
    assert "22/11/2026 10:00:19 (Europe/Paris)" in srt


def test_gaps_are_exported_around_and_stated(rt: Runtime, footage: Footage, out: Path) -> None:
    row = export(
        rt,
        [footage.cameras[0].id],
        START + timedelta(seconds=120),
        SECOND_RUN + timedelta(seconds=20),
        out,
    )
    manifest = json.loads((Path(row.package_path) / "manifest.json").read_text())
    (item,) = manifest["items"]
    assert [(g["from"], g["to"]) for g in item["gaps"]] == [
        ("2026-11-22T09:02:10.000000Z", "2026-11-22T09:03:20.000000Z")
    ]
    assert item["frames"] == 100 + 200
    assert verifier.verify_package(Path(row.package_path)).ok  # chain links across the gap
    report = (Path(row.package_path) / "rapport" / "rapport.html").read_text()
    assert "09:02:10" in report or "10:02:10" in report


def test_one_flipped_byte_is_found_and_named(rt: Runtime, footage: Footage, out: Path) -> None:
    row = export(rt, [footage.cameras[0].id], FROM, START + timedelta(seconds=30), out)
    package = Path(row.package_path)
    (mp4,) = (package / "video").glob("*.mp4")
    data = bytearray(mp4.read_bytes())
    data[len(data) // 2] ^= 0x01
    mp4.write_bytes(bytes(data))
    report = verifier.verify_package(package)
    assert not report.ok
    assert {p.path for p in report.problems} == {f"video/{mp4.name}"}
    assert {p.code for p in report.problems} >= {"file_changed", "onvif_signature_invalid"}
    cli = subprocess.run(
        [".venv/bin/sentinelle", "export", "verify", str(package)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 1
    assert mp4.name in cli.stdout


def test_zip_verifies_like_the_directory(rt: Runtime, footage: Footage, out: Path) -> None:
    row = export(rt, [footage.cameras[0].id], FROM, START + timedelta(seconds=30), out)
    zipped = write_zip(Path(row.package_path))
    assert verifier.verify_package(zipped).ok


def test_two_first_downloads_at_once_give_one_whole_archive(
    rt: Runtime, footage: Footage, out: Path
) -> None:
    row = export(rt, [footage.cameras[0].id], START, START + timedelta(seconds=30), out)
    package = Path(row.package_path)
    with ThreadPoolExecutor(2) as pool:
        zips = list(pool.map(write_zip, [package, package]))
    assert zips[0] == zips[1]
    assert verifier.verify_package(zips[0]).ok
    assert list(package.parent.glob("*.partial")) == []


def test_several_cameras_one_without_footage(rt: Runtime, footage: Footage, out: Path) -> None:
    ids = [c.id for c in footage.cameras]
    row = export(rt, ids, FROM, START + timedelta(seconds=30), out)
    manifest = json.loads((Path(row.package_path) / "manifest.json").read_text())
    assert [i["camera"]["code"] for i in manifest["items"]] == ["CAM-001"]
    assert manifest["request"]["cameras"] == ["CAM-001", "CAM-002"]
    assert manifest["site"] == {"name": "Centre de supervision urbain", "timezone": "Europe/Paris"}


def test_no_footage_fails_cleanly(rt: Runtime, footage: Footage, out: Path) -> None:
    row = export(rt, [footage.cameras[1].id], FROM, START + timedelta(seconds=30), out)
    assert (row.status, row.error_code) == (ExportStatus.FAILED, "no_footage")
    assert not out.exists()
    assert len(_entries(rt, "export.failed")) == 1


def test_a_corrupt_source_segment_is_refused_and_nothing_signed(
    rt: Runtime, footage: Footage, out: Path
) -> None:
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    target = root / footage.segments[1].path
    data = bytearray(target.read_bytes())
    data[-100] ^= 0xFF
    target.write_bytes(bytes(data))
    row = export(rt, [footage.cameras[0].id], FROM, START + timedelta(seconds=100), out / "out")
    assert (row.status, row.error_code) == (ExportStatus.FAILED, "source_integrity")
    assert footage.segments[1].path in row.error_message
    assert not (out / "out").exists() or list((out / "out").iterdir()) == []
    (entry,) = _entries(rt, "export.failed")
    assert "source_integrity" in entry.details


def test_disk_full_leaves_nothing_that_looks_valid(
    rt: Runtime, footage: Footage, out: Path
) -> None:
    with small_volume(out / "small", "64k") as volume:
        row = export(rt, [footage.cameras[0].id], START, START + timedelta(seconds=120), volume)
        assert (row.status, row.error_code) == (ExportStatus.FAILED, "export_disk_full")
        assert list(volume.iterdir()) == []
    with rt.db.read() as s:
        assert s.execute(sa.select(ReadHoldRow)).first() is None


def test_cancellation_stops_and_cleans(rt: Runtime, footage: Footage, out: Path) -> None:
    request = ExportRequest.model_validate(
        {
            "camera_ids": [footage.cameras[0].id],
            "from": FROM,
            "to": START + timedelta(seconds=100),
            "reason": "r",
        }
    )
    row = service.do_request_export(rt, AGENT, request, CameraScope.everything(), out)
    assert service.claim_next(rt, row.id) == row.id
    service.do_cancel_export(rt, AGENT, row.id, "mauvaise caméra")
    ended = service.run_export(rt, row.id)
    assert ended.status == ExportStatus.CANCELLED
    assert list(out.iterdir()) == []
    assert len(_entries(rt, "export.cancelled")) == 1


def test_a_queued_export_is_cancelled_at_once(rt: Runtime, footage: Footage, out: Path) -> None:
    request = ExportRequest.model_validate(
        {
            "camera_ids": [footage.cameras[0].id],
            "from": FROM,
            "to": START + timedelta(seconds=100),
            "reason": "r",
        }
    )
    row = service.do_request_export(rt, AGENT, request, CameraScope.everything(), out)
    assert service.do_cancel_export(rt, AGENT, row.id, "r").status == ExportStatus.CANCELLED
    assert service.claim_next(rt) is None


def test_footage_being_exported_is_held_from_the_sweeper(
    rt: Runtime, footage: Footage, clock: FakeClock, out: Path
) -> None:
    """E7: while an export reads a range, the time sweeper destroys everything else past
    retention but not that range; once the export ends, its hold is gone."""
    cam = footage.cameras[0].id
    clock.set(START + timedelta(days=30))
    with rt.db.write() as s:
        span = Span(START, START + timedelta(seconds=30))
        storage_repo.place_read_hold(s, "export:99", {cam: span}, rt.now())
    assert sweeper.sweep_time(rt).segments == len(footage.segments) - 1
    with rt.db.read() as s:
        kept = storage_repo.segments_between(s, cam, START, START + timedelta(hours=1))
    assert [seg.start_at for seg in kept] == [START]
    with rt.db.write() as s:
        storage_repo.release_read_holds(s, "export:99")
    assert sweeper.sweep_time(rt).segments == 1


def test_an_export_releases_its_hold(rt: Runtime, footage: Footage, out: Path) -> None:
    export(rt, [footage.cameras[0].id], FROM, START + timedelta(seconds=30), out)
    with rt.db.read() as s:
        assert s.execute(sa.select(ReadHoldRow)).first() is None


@pytest.mark.parametrize(
    ("shift_from", "shift_to", "code"),
    [
        (timedelta(hours=2), timedelta(hours=3), "range_in_future"),
    ],
)
def test_bad_periods_are_refused(
    rt: Runtime, footage: Footage, shift_from: timedelta, shift_to: timedelta, code: str
) -> None:
    request = ExportRequest.model_validate(
        {
            "camera_ids": [footage.cameras[0].id],
            "from": START + shift_from,
            "to": START + shift_to,
            "reason": "r",
        }
    )
    with pytest.raises(SentinelleError) as err:
        service.do_request_export(rt, AGENT, request, CameraScope.everything())
    assert err.value.code == code


@pytest.mark.parametrize(
    "body",
    [
        {"from": START + timedelta(seconds=20), "to": START, "reason": "r"},
        {"from": START, "to": START + timedelta(hours=25), "reason": "r"},
        {"from": START, "to": START + timedelta(hours=1), "reason": ""},
        {"from": START, "to": START + timedelta(hours=1), "reason": "r", "camera_ids": []},
    ],
)
def test_invalid_requests_are_refused(body: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        ExportRequest.model_validate({"camera_ids": [1], **body})


def test_cameras_out_of_scope_refuse_the_whole_request(rt: Runtime, footage: Footage) -> None:
    request = ExportRequest.model_validate(
        {
            "camera_ids": [c.id for c in footage.cameras],
            "from": FROM,
            "to": START + timedelta(seconds=30),
            "reason": "r",
        }
    )
    with pytest.raises(Forbidden) as err:
        service.do_request_export(rt, AGENT, request, CameraScope.nothing())
    assert err.value.code == camera_out_of_scope(0).code
    assert _entries(rt, "export.requested") == []
    assert isinstance(InvalidInput("x", "y"), SentinelleError)


def test_export_journal_lists_lines_and_is_journalled(
    rt: Runtime, footage: Footage, out: Path
) -> None:
    export(rt, [footage.cameras[0].id], FROM, START + timedelta(seconds=30), out / "a")
    export(rt, [footage.cameras[0].id], SECOND_RUN, SECOND_RUN + timedelta(seconds=10), out / "b")
    lines = service.export_journal(
        rt, AGENT, START, rt.now() + timedelta(seconds=1), "inspection CNIL"
    )
    assert [(line.camera_code, line.duration_seconds) for line in lines] == [
        ("CAM-001", 20.0),
        ("CAM-001", 10.0),
    ]
    (entry,) = _entries(rt, "export.journal_exported")
    assert entry.reason == "inspection CNIL"


def test_interrupted_exports_are_failed_at_restart(
    rt: Runtime, footage: Footage, out: Path
) -> None:
    request = ExportRequest.model_validate(
        {
            "camera_ids": [footage.cameras[0].id],
            "from": FROM,
            "to": START + timedelta(seconds=30),
            "reason": "r",
        }
    )
    row = service.do_request_export(rt, AGENT, request, CameraScope.everything(), out)
    service.claim_next(rt, row.id)
    (out / f"{row.reference}.partial").mkdir(parents=True)
    assert service.end_interrupted(rt) == [row.reference]
    assert service.get_export(rt, row.id).error_code == "export_interrupted"
    assert list(out.iterdir()) == []
