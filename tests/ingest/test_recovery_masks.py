"""A segment rebuilt by crash recovery keeps the mask version it was burnt in with (privacy,
P3): the writer puts the burn-in's stamp in the file's `moov`, recovery reads it back; a stamp
the camera's mask history does not confirm is not believed (camera-mode footage: re-encoded
on the way out when flagged), and a file without one is the camera's own stream."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import av
import av.packet
import av.stream
import pytest
import sqlalchemy as sa

from sentinelle.audit.models import Actor
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.recovery import recover_all
from sentinelle.ingest.writer import MASK_COMMENT, MaskStamp, SegmentWriter, packet_instant
from sentinelle.privacy import service
from sentinelle.privacy.models import MaskMode, MaskModeInput, MaskSetInput
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.tables import SegmentRow
from tests import factories as f
from tests.privacy.conftest import polygon, rect

ADMIN = Actor.user(7, "admin-dupont")
ANCHOR = datetime(2026, 11, 22, 8, tzinfo=UTC)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("recovery-masks") / "clip.mp4", 4, gop_seconds=1)


def _server_masked(rt: Runtime) -> tuple[int, MaskStamp]:
    """A camera in server mode (version 2) and the stamp its burn-in gives."""
    _, _, (cam, _) = f.town(rt)
    masks = MaskSetInput(polygons=[polygon("fenêtres", rect(0.1, 0.1, 0.4, 0.5))], reason="x")
    service.do_set_masks(rt, ADMIN, cam.id, masks)
    service.do_set_mode(rt, ADMIN, cam.id, MaskModeInput(mode=MaskMode.SERVER, reason="burn"))
    current = service.camera_masks(rt, cam.id).current
    assert current.version == 2
    return cam.id, MaskStamp(current.version, current.digest)


def _record(
    rt: Runtime, camera_id: int, clip: Path, mask: MaskStamp | None, *, crash: bool
) -> Path:
    """Write the clip as one segment stamped `mask`. `crash`: what is left is the `.part` file
    as it stood before the writer closed it (its last fragment torn off); else a finished
    file whose catalogue row was never written. The file recovery will find."""
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    with av.open(str(clip)) as src:
        stream = src.streams.video[0]
        writer = SegmentWriter(root, camera_id, stream, lambda _: None)
        first: int | None = None
        for demuxed in src.demux(stream):
            packet = cast("av.packet.Packet[av.stream.Stream]", demuxed)
            if packet.pts is None or packet.duration is None or stream.time_base is None:
                continue
            first = packet.pts if first is None else first
            at = packet_instant(ANCHOR, first, packet, stream.time_base)
            writer.write(
                packet, at, timedelta(seconds=float(packet.duration * stream.time_base)), mask
            )
        (part,) = root.rglob("*.part")
        partial = part.read_bytes()
        writer.close()
    final = part.with_name(part.name.removesuffix(layout.PART_SUFFIX))
    if crash:
        final.unlink()
        part.write_bytes(partial)
        return part
    return final


def _row(rt: Runtime) -> SegmentRow:
    with rt.db.read() as s:
        row: SegmentRow = s.execute(sa.select(SegmentRow)).scalar_one()
        s.expunge(row)
        return row


@pytest.mark.parametrize("crash", [True, False], ids=["partial", "uncatalogued"])
def test_a_recovered_segment_keeps_the_mask_version_it_was_burnt_in_with(
    rt: Runtime, clip: Path, crash: bool
) -> None:
    camera_id, stamp = _server_masked(rt)
    _record(rt, camera_id, clip, stamp, crash=crash)
    (result,) = recover_all(rt)
    assert result.segment is not None
    assert (result.segment.mask_version, result.segment.mask_digest) == (2, stamp.digest)
    row = _row(rt)
    assert row.recovered
    assert (row.mask_version, row.mask_digest) == (2, stamp.digest)


def test_a_recovered_camera_mode_segment_has_no_mask_version(rt: Runtime, clip: Path) -> None:
    camera_id, _ = _server_masked(rt)  # server mode now; this file is the camera's own stream
    _record(rt, camera_id, clip, None, crash=True)
    recover_all(rt)
    row = _row(rt)
    assert row.recovered
    assert (row.mask_version, row.mask_digest) == (None, None)


@pytest.mark.parametrize("wrong", ["version", "digest"])
def test_a_stamp_the_mask_history_does_not_confirm_is_not_believed(
    rt: Runtime, clip: Path, wrong: str, caplog: pytest.LogCaptureFixture
) -> None:
    camera_id, stamp = _server_masked(rt)
    claimed = MaskStamp(7, stamp.digest) if wrong == "version" else MaskStamp(2, "0" * 64)
    _record(rt, camera_id, clip, claimed, crash=True)
    with caplog.at_level(logging.WARNING, logger="sentinelle.ingest.recovery"):
        recover_all(rt)
    row = _row(rt)
    assert (row.mask_version, row.mask_digest) == (None, None)  # camera-mode footage
    assert any("does not have" in r.getMessage() for r in caplog.records)


def test_the_stamp_reads_back_and_nothing_else_passes_for_one() -> None:
    stamp = MaskStamp(12, "ab" * 32)
    assert MaskStamp.from_comment(stamp.as_comment()) == stamp
    for text in (
        None,
        "",
        "Lavf62",
        f"{MASK_COMMENT} version=12",
        f"{MASK_COMMENT} version=-1 digest={'ab' * 32}",
        f"{MASK_COMMENT} version=12 digest={'AB' * 32}",
        stamp.as_comment() + " ",
    ):
        assert MaskStamp.from_comment(text) is None, text
