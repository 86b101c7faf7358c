"""Server-mode burn-in (privacy P1, P2): what a server-masked camera records and shows is
decoded and checked pixel by pixel — flat (opaque) or block-constant (pixelate) inside its
polygons, the scene's texture outside — through a real RTSP server, the real ingest worker,
its live socket and its catalogued segments; a mask change applies from a keyframe; a change
of resolution masks the same normalised area; a failing or overloaded encoder leaves a gap
and an event, never the camera's own pictures."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.api.app import create_app
from sentinelle.audit.models import Actor, AuditAction
from sentinelle.audit.repository import EntryFilter, list_entries
from sentinelle.core.clock import FakeClock
from sentinelle.ingest.burnin import BurnIn
from sentinelle.ingest.events import EventKind
from sentinelle.ingest.live_server import LiveServer
from sentinelle.ingest.livewire import Frame, FrameKind, StreamChoice, init_codec, socket_path
from sentinelle.ingest.session import LivePacket
from sentinelle.ingest.worker import IngestWorker
from sentinelle.privacy import service as privacy
from sentinelle.privacy.geometry import rasterize
from sentinelle.privacy.models import (
    CameraMasks,
    MaskFill,
    MaskMode,
    MaskModeInput,
    MaskPolygon,
    MaskSetInput,
)
from sentinelle.registry.models import CameraKind
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.tables import SegmentRow
from tests import factories as f
from tests.api.conftest import Town
from tests.ingest.recorder import Recorder
from tests.support.live import FeedReader
from tests.support.rtsp import rtsp_server
from tests.support.streams import joined

ADMIN = Actor.user(7, "admin-dupont")
Box = tuple[float, float, float, float]  # normalised x0, y0, x1, y1
LEFT: Box = (0.1, 0.1, 0.4, 0.5)
RIGHT: Box = (0.6, 0.1, 0.9, 0.5)
BELOW: Box = (0.1, 0.65, 0.9, 0.95)  # never masked: the scene must show there
Planes = npt.NDArray[np.uint8]  # frames × rows × columns (luma)


def textured_clip(
    path: Path,
    seconds: float,
    width: int = 320,
    height: int = 240,
    fps: int = 10,
    codec: str = "libx264",
) -> Path:
    """A keyframe a second: a checkerboard of 8-pixel squares sliding 3 pixels a
    frame, so that every area has scene detail that changes (H.264, or H.265 with
    `codec="libx265"`)."""
    rows, cols = np.mgrid[0:height, 0:width]
    chroma = np.full((height // 2 * width // 2,), 128, np.uint8).reshape(-1, width)
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        stream.codec_context.options = {"g": str(fps), "bf": "0", "preset": "ultrafast"}
        if codec == "libx265":
            gop = f"keyint={fps}:min-keyint={fps}:bframes=0:log-level=none"
            stream.codec_context.options = {"preset": "ultrafast", "x265-params": gop}
        for i in range(round(seconds * fps)):
            luma = ((((cols + 3 * i) // 8 + rows // 8) % 2) * 150 + 50).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(
                np.concatenate([luma, chroma, chroma]), format="yuv420p"
            )
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def rect(name: str, box: Box, fill: MaskFill = MaskFill.OPAQUE) -> MaskPolygon:
    x0, y0, x1, y1 = box
    return MaskPolygon(name=name, points=[(x0, y0), (x1, y0), (x1, y1), (x0, y1)], fill=fill)


def pixels(box: Box, width: int, height: int, margin: int = 4) -> tuple[slice, slice]:
    """The rows and columns well inside a normalised box (away from codec ringing)."""
    x0, y0, x1, y1 = box
    return (
        slice(round(y0 * height) + margin, round(y1 * height) - margin),
        slice(round(x0 * width) + margin, round(x1 * width) - margin),
    )


def lumas(path: Path) -> Planes:
    with av.open(str(path)) as video:
        return np.stack([fr.to_ndarray()[: fr.height] for fr in video.decode(video=0)])


def is_flat(y: Planes, box: Box) -> bool:
    rows, cols = pixels(box, y.shape[2], y.shape[1])
    area = y[:, rows, cols].astype(float)
    return bool(area.std() < 2.0 and abs(area.mean() - 16) < 4)


def shows_scene(y: Planes, box: Box) -> bool:
    rows, cols = pixels(box, y.shape[2], y.shape[1])
    return bool(y[:, rows, cols].astype(float).std() > 30)


def is_pixelated(y: Planes, box: Box, block: int) -> bool:
    """Every grid block wholly inside the box is (nearly) constant, though the scene there
    is a checkerboard whose squares are as large as a block."""
    height, width = y.shape[1:]
    x0, y0 = -(-round(box[0] * width) // block) * block, -(-round(box[1] * height) // block)
    x1, y1 = round(box[2] * width) // block * block, round(box[3] * height) // block * block
    blocks = [
        y[:, r : r + block, c : c + block].astype(float).std(axis=(1, 2)).max()
        for r in range(y0 * block, y1, block)
        for c in range(x0, x1, block)
    ]
    return len(blocks) > 10 and max(blocks) < 6


def live_lumas(frames: list[Frame], tmp_path: Path) -> Planes:
    assert frames[0].kind is FrameKind.INIT
    _, init = init_codec(frames[0].payload)
    path = tmp_path / "live.mp4"
    fragments = (fr.payload for fr in frames[1:] if fr.kind is FrameKind.FRAGMENT)
    path.write_bytes(init + b"".join(fragments))
    return lumas(path)


def segment_rows(rt: Runtime, camera_id: int) -> list[SegmentRow]:
    with rt.db.read() as s:
        query = sa.select(SegmentRow).where(SegmentRow.camera_id == camera_id)
        return list(s.scalars(query.order_by(SegmentRow.start_at)))


def segment_lumas(rt: Runtime, row: SegmentRow) -> Planes:
    return lumas(layout.recordings_root(rt.settings.resolved_data_dir) / row.path)


def server_masks(rt: Runtime, camera_id: int, *polygons: MaskPolygon) -> CameraMasks:
    privacy.do_set_masks(rt, ADMIN, camera_id, MaskSetInput(polygons=list(polygons), reason="r"))
    mode = MaskModeInput(mode=MaskMode.SERVER, reason="fenêtres d'habitation")
    return privacy.do_set_mode(rt, ADMIN, camera_id, mode)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("burnin")
    small = textured_clip(folder / "small.mp4", 6)
    large = textured_clip(folder / "large.mp4", 4, width=480, height=360)
    return {
        "main": textured_clip(folder / "main.mp4", 60),
        "sub": textured_clip(folder / "sub.mp4", 60, width=176, height=144),
        "small": small,
        "fast": textured_clip(folder / "fast.mp4", 3, width=480, height=360, fps=50),
        "changed": joined(folder / "changed.ts", (small, 0.0), (large, 6.0)),
    }


@pytest.fixture(scope="module")
def rtsp(clips: dict[str, Path]) -> Iterator[str]:
    with rtsp_server({"main": clips["main"], "sub": clips["sub"]}) as base:
        yield base


@dataclass
class Running:
    worker: IngestWorker
    server: LiveServer
    camera_id: int


@pytest.fixture
def running(rt: Runtime, rtsp: str) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(*polygons: MaskPolygon, encoders: tuple[str, ...] | None = None) -> Running:
        zone = f.zone(rt, f.authorisation(rt).id)
        urls = {"main_stream_url": f"{rtsp}/main", "sub_stream_url": f"{rtsp}/sub"}
        camera = f.camera(rt, zone.id, "CAM-MASK", **urls)
        server_masks(rt, camera.id, *polygons)
        worker = IngestWorker(rt) if encoders is None else IngestWorker(rt, encoders=encoders)
        path = socket_path(rt.settings.resolved_data_dir, 0)
        server = LiveServer(path, worker.live_fanout, worker.release_live)
        worker.start()
        server.start()
        started.append(Running(worker, server, camera.id))
        return started[-1]

    yield start
    for each in started:
        each.server.close()
        each.worker.stop_all()


def test_a_server_mode_camera_records_and_shows_only_masked_pixels(
    rt: Runtime, running: Callable[..., Running], tmp_path: Path
) -> None:
    run = running(rect("fenêtres", LEFT), rect("balcon", RIGHT, MaskFill.PIXELATE))
    masks = privacy.camera_masks(rt, run.camera_id)
    reader = FeedReader(run.server.path, run.camera_id, StreamChoice.MAIN)
    live = live_lumas(reader.frames(25), tmp_path)
    reader.close()
    run.worker.stop_all()  # closes the open segment, which is catalogued
    assert is_flat(live, LEFT)
    assert is_pixelated(live, RIGHT, block=8)
    assert shows_scene(live, BELOW)
    rows = segment_rows(rt, run.camera_id)
    assert rows
    for row in rows:
        assert (row.mask_version, row.mask_digest) == (masks.current.version, masks.current.digest)
        recorded = segment_lumas(rt, row)
        assert is_flat(recorded, LEFT)
        assert is_pixelated(recorded, RIGHT, block=8)
        assert shows_scene(recorded, BELOW)
    burnt = [e for e in run.worker.events if e.kind.startswith("privacy_")]
    assert burnt == []


def test_the_live_sub_stream_of_a_server_mode_camera_is_masked_too(
    rt: Runtime, running: Callable[..., Running], tmp_path: Path
) -> None:
    run = running(rect("fenêtres", LEFT))
    reader = FeedReader(run.server.path, run.camera_id, StreamChoice.SUB)
    live = live_lumas(reader.frames(15), tmp_path)
    reader.close()
    assert live.shape[1:] == (144, 176)  # the sub-stream, not the main one
    assert is_flat(live, LEFT)
    assert shows_scene(live, BELOW)


def test_a_mask_change_applies_from_a_keyframe_and_is_journalled(
    rt: Runtime, running: Callable[..., Running], tmp_path: Path
) -> None:
    run = running(rect("fenêtres", LEFT))
    before = privacy.camera_masks(rt, run.camera_id).current
    reader = FeedReader(run.server.path, run.camera_id, StreamChoice.MAIN)
    frames = reader.frames(12)
    change = MaskSetInput(polygons=[rect("fenêtres", RIGHT)], reason="ravalement: fenêtres")
    after = privacy.do_set_masks(rt, ADMIN, run.camera_id, change).current
    run.worker.refresh()
    frames += reader.frames(30)
    reader.close()
    run.worker.stop_all()
    live = live_lumas(frames, tmp_path)
    fragments = [fr for fr in frames[1:] if fr.kind is FrameKind.FRAGMENT]
    old = [
        is_flat(live[i : i + 1], LEFT) and shows_scene(live[i : i + 1], RIGHT)
        for i in range(len(live))
    ]
    new = [
        is_flat(live[i : i + 1], RIGHT) and shows_scene(live[i : i + 1], LEFT)
        for i in range(len(live))
    ]
    switch = new.index(True)
    assert all(old[:switch])
    assert all(new[switch:])
    assert switch > 0
    assert fragments[switch].keyframe
    rows = segment_rows(rt, run.camera_id)
    assert [r.mask_version for r in rows] == sorted(r.mask_version for r in rows)
    assert {r.mask_version for r in rows} == {before.version, after.version}
    for row in rows:
        recorded = segment_lumas(rt, row)
        box, other = (LEFT, RIGHT) if row.mask_version == before.version else (RIGHT, LEFT)
        assert is_flat(recorded, box)
        assert shows_scene(recorded, other)
    with rt.db.read() as s:
        entries = list_entries(
            s, EntryFilter(camera_id=run.camera_id), limit=None, newest_first=False
        )
    changes = [e for e in entries if e.action == AuditAction.MASKS_SET]
    assert json.loads(changes[-1].details)["version"] == after.version
    assert changes[-1].reason == "ravalement: fenêtres"
    applied = [e for e in run.worker.events if e.kind is EventKind.PRIVACY_MASKS_APPLIED]
    assert [f"mask version {after.version} burnt in" in e.detail for e in applied] == [True]


def _record(
    rt: Runtime, fake: FakeClock, clip: Path | str, masks: CameraMasks, **stage: object
) -> tuple[Recorder, list[LivePacket]]:
    """Record a file source through the burn-in; also what a live subscriber received."""
    rec = Recorder(rt, fake, masks.camera_id, str(clip), target=timedelta(seconds=10))
    rec.session.stage = lambda stream, on_event: BurnIn(
        stream,
        lambda: masks,
        on_event,
        **stage,  # type: ignore[arg-type]
    )
    viewer = rec.session.fanout.subscribe(depth=10_000)
    rec.run()
    shown = [viewer.items.get_nowait() for _ in range(viewer.items.qsize())]
    return rec, shown


def test_a_change_of_resolution_masks_the_same_normalised_area(
    rt: Runtime, clock: FakeClock, clips: dict[str, Path]
) -> None:
    _, _, (camera, _) = f.town(rt)
    masks = server_masks(rt, camera.id, rect("fenêtres", LEFT))
    rec, _ = _record(rt, clock, clips["changed"], masks)
    sizes = [(s.width, s.height) for s in rec.segments]
    assert (320, 240) in sizes
    assert (480, 360) in sizes
    for segment in rec.segments:
        recorded = lumas(layout.recordings_root(rt.settings.resolved_data_dir) / segment.path)
        assert recorded.shape[1:] == (segment.height, segment.width)
        assert is_flat(recorded, LEFT)
        assert shows_scene(recorded, BELOW)
        assert segment.mask_version == masks.current.version
    raster = rasterize([rect("x", LEFT).points], 480, 360)
    assert raster.bounds() == (48, 36, 192, 180)  # the same tenths of the picture
    assert EventKind.STREAM_CHANGED in rec.kinds()


def test_an_hevc_camera_in_server_mode_records_h264_segments_that_decode_masked(
    rt: Runtime, clock: FakeClock, tmp_path: Path
) -> None:
    """The burn-in encodes H.264 whatever the camera sends: the segments of an H.265 camera
    declare H.264 with the encoder's parameter sets (not the camera's hvcC), decode, and
    show the mask; the catalogue says h264."""
    clip = textured_clip(tmp_path / "hevc.mp4", 5, codec="libx265")
    with av.open(str(clip)) as source:
        assert source.streams.video[0].codec_context.name == "hevc"
    _, _, (camera, _) = f.town(rt)
    masks = server_masks(rt, camera.id, rect("fenêtres", LEFT))
    with rtsp_server({"main": clip}, h265=True) as base:
        rec, shown = _record(rt, clock, f"{base}/main", masks)
    assert rec.segments
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    for segment in rec.segments:
        assert segment.codec == "h264"
        with av.open(str(root / segment.path)) as video:
            assert video.streams.video[0].codec_context.name == "h264"
        recorded = lumas(root / segment.path)
        assert recorded.shape[1:] == (segment.height, segment.width) == (240, 320)
        assert is_flat(recorded, LEFT)
        assert shows_scene(recorded, BELOW)
    assert sum(len(s.keyframes_ms) for s in rec.segments) >= 4  # the camera's GOPs
    assert {row.codec for row in segment_rows(rt, camera.id)} == {"h264"}
    assert EventKind.STREAM_CHANGED not in rec.kinds()
    assert shown
    assert all(item.extradata and item.extradata[4] & 0x1F == 7 for item in shown)  # H.264 SPS


def test_an_encoder_that_cannot_open_leaves_a_gap_and_an_event_never_the_camera(
    rt: Runtime, clock: FakeClock, clips: dict[str, Path]
) -> None:
    _, _, (camera, _) = f.town(rt)
    masks = server_masks(rt, camera.id, rect("fenêtres", LEFT))
    rec, shown = _record(rt, clock, clips["small"], masks, encoders=("h264_missing", "h264_qsv"))
    assert rec.segments == []
    assert shown == []
    failed = [e for e in rec.events if e.kind is EventKind.PRIVACY_BURNIN_FAILED]
    assert len(failed) == 1
    assert "no H.264 encoder opens" in failed[0].detail
    assert segment_rows(rt, camera.id) == []


def test_an_encoder_slower_than_real_time_drops_frames_and_raises_an_alarm(
    rt: Runtime, clock: FakeClock, clips: dict[str, Path]
) -> None:
    _, _, (camera, _) = f.town(rt)
    masks = server_masks(rt, camera.id, rect("fenêtres", LEFT))

    # The stage measures its work with `clock`: one running 500 times faster than time
    # makes every burnt frame cost far more than its 20 ms of video (whatever the machine's
    # load), while a dropped frame still costs almost nothing: the stage falls behind,
    # alarms, drops to a keyframe and catches up there, deterministically.
    def slow_machine() -> float:
        return time.perf_counter() * 500

    rec, shown = _record(rt, clock, clips["fast"], masks, clock=slow_machine, backlog_max=0.3)
    overloads = [e for e in rec.events if e.kind is EventKind.PRIVACY_ENCODER_OVERLOAD]
    assert overloads
    assert "behind real time" in overloads[0].detail
    assert 0 < len(shown) < 150  # some frames were dropped, the others are masked
    for segment in rec.segments:
        recorded = lumas(layout.recordings_root(rt.settings.resolved_data_dir) / segment.path)
        assert is_flat(recorded, LEFT)


def test_a_blackout_hides_the_whole_picture(
    rt: Runtime, clock: FakeClock, clips: dict[str, Path]
) -> None:
    _, zone, _ = f.town(rt)
    camera = f.camera(rt, zone.id, "PTZ-01", kind=CameraKind.PTZ)
    privacy.do_set_masks(
        rt, ADMIN, camera.id, MaskSetInput(polygons=[rect("fenêtres", LEFT)], reason="r")
    )
    masks = privacy.do_force_server(rt, Actor.system("mask-audit"), camera.id, "audit échoué")
    assert masks.enforcement == "blackout"
    rec, shown = _record(rt, clock, clips["small"], masks)
    assert rec.segments
    assert shown
    for segment in rec.segments:
        recorded = lumas(layout.recordings_root(rt.settings.resolved_data_dir) / segment.path)
        assert is_flat(recorded, (0.0, 0.0, 1.0, 1.0))
        assert segment.mask_version == masks.current.version


def _push_all(clip: Path, masks: Callable[[], CameraMasks | None], skip: int = 0) -> Pushed:
    """Run a clip's packets (after the first `skip`) through a burn-in stage directly."""
    events: list[tuple[EventKind, str]] = []
    with av.open(str(clip)) as source:
        stream = source.streams.video[0]
        stage = BurnIn(stream, masks, lambda kind, detail: events.append((kind, detail)))
        packets = [p for p in source.demux(stream) if p.pts is not None][skip:]
        keyframes = [p.is_keyframe for p in packets]
        at = datetime(2026, 11, 22, 9, tzinfo=UTC)
        out = [len(stage.push(p, at, timedelta(seconds=0.1))) for p in packets]
    return Pushed(keyframes, out, events)


@dataclass
class Pushed:
    keyframes: list[bool]
    produced: list[int]  # packets out, per packet in
    events: list[tuple[EventKind, str]]


def test_the_burn_in_never_starts_before_a_keyframe_of_the_camera(
    clips: dict[str, Path], rt: Runtime
) -> None:
    """Packets before the camera's first keyframe give nothing (no decoder guesswork)."""
    _, _, (camera, _) = f.town(rt)
    masks = server_masks(rt, camera.id, rect("fenêtres", LEFT))
    pushed = _push_all(clips["small"], lambda: masks, skip=1)
    first = pushed.keyframes.index(True)
    assert first > 0
    assert pushed.produced[:first] == [0] * first
    assert pushed.produced[first:] == [1] * (len(pushed.produced) - first)
    assert pushed.events == []


def test_unknown_masks_show_nothing(clips: dict[str, Path]) -> None:
    """Masks the worker could not read: every frame is dropped, one event says so (P1)."""
    pushed = _push_all(clips["small"], lambda: None)
    assert sum(pushed.produced) == 0
    assert [kind for kind, _ in pushed.events] == [EventKind.PRIVACY_BURNIN_FAILED]
    assert "masks are not known" in pushed.events[0][1]


def test_a_snapshot_of_a_server_mode_camera_comes_from_masked_footage(
    rt: Runtime, clock: FakeClock, clips: dict[str, Path]
) -> None:
    """`POST /api/cameras/{id}/snapshot` reads the recorded segments: only burnt ones exist."""
    town = Town(rt)
    masks = server_masks(rt, town.in_scope.id, rect("fenêtres", LEFT))
    rec, _ = _record(rt, clock, clips["small"], masks)
    segment = rec.segments[0]
    clock.set(segment.end + timedelta(minutes=5))
    at = segment.start + (segment.end - segment.start) / 2
    body = {"at": at.isoformat(), "format": "png", "reason": "Accident rue Hoche"}
    with TestClient(create_app(rt), base_url="http://127.0.0.1") as client:
        response = client.post(
            f"/api/cameras/{town.in_scope.id}/snapshot",
            json=body,
            headers=town.headers(Role.OPERATOR),
        )
    assert response.status_code == 200, response.text
    with av.open(io.BytesIO(response.content)) as image:
        grey = next(image.decode(video=0)).reformat(format="gray").to_ndarray()
    rows, cols = pixels(LEFT, grey.shape[1], grey.shape[0])
    assert grey[rows, cols].std() < 2.0
    assert grey[rows, cols].mean() < 8  # black (Y 16 in limited range)
    below_rows, below_cols = pixels(BELOW, grey.shape[1], grey.shape[0])
    assert grey[below_rows, below_cols].std() > 30
