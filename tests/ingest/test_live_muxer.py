"""The live muxer's fMP4 decodes (checked by ffprobe, an independent reader) to the frames
it was given, starts at a keyframe, and describes a change of parameters anew."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av

from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.live import (
    LiveFragment,
    LiveInit,
    LiveItem,
    LiveMuxer,
    avcc_extension,
    split_units,
    units_of_extradata,
)

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
FFPROBE = "/usr/bin/ffprobe"


def _feed(muxer: LiveMuxer, clip: Path, begin: datetime, annex_b: bool) -> list[LiveItem]:
    """Push every packet of `clip` (length-prefixed, or converted to Annex B)."""
    out: list[LiveItem] = []
    with av.open(str(clip)) as source:
        stream = source.streams.video[0]
        tb = float(stream.time_base or 0)
        muxer.extradata = None if annex_b else stream.codec_context.extradata
        for packet in source.demux(stream):
            if packet.pts is None:
                continue
            data = bytes(packet)
            if annex_b:
                units = split_units(data, annex_b=False)
                if packet.is_keyframe:  # parameter sets in-band, as cameras send them
                    units = [*units_of_extradata(stream.codec_context.extradata), *units]
                data = b"".join(b"\x00\x00\x00\x01" + u for u in units)
            at = begin + timedelta(seconds=packet.pts * tb)
            duration = (packet.duration or 0) * tb
            out += muxer.push(data, keyframe=packet.is_keyframe, at=at, duration=duration)
    return out


def _probe(path: Path) -> dict[str, object]:
    result = subprocess.run(
        [
            FFPROBE,
            "-v",
            "error",
            "-count_frames",
            "-show_entries",
            "stream=codec_name,width,height,nb_read_frames",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr == ""
    streams: list[dict[str, object]] = json.loads(result.stdout)["streams"]
    return streams[0]


def _write(path: Path, items: list[LiveItem]) -> Path:
    path.write_bytes(b"".join(i.data for i in items))
    return path


def test_length_prefixed_packets_make_fmp4_that_decodes(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "clip.mp4", 3, fps=10, gop_seconds=1)
    items = _feed(LiveMuxer(), clip, T0, annex_b=False)
    init = items[0]
    assert isinstance(init, LiveInit)
    assert init.codec.startswith("avc1.")
    assert len(init.codec) == 11
    assert (init.width, init.height) == (320, 240)
    fragments = [i for i in items if isinstance(i, LiveFragment)]
    assert len(fragments) == 30
    assert fragments[0].keyframe
    probed = _probe(_write(tmp_path / "live.mp4", items))
    assert probed == {"codec_name": "h264", "width": 320, "height": 240, "nb_read_frames": "30"}


def test_annex_b_packets_make_fmp4_that_decodes(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "clip.mp4", 2, fps=10, gop_seconds=1)
    items = _feed(LiveMuxer(), clip, T0, annex_b=True)
    assert sum(isinstance(i, LiveInit) for i in items) == 1
    probed = _probe(_write(tmp_path / "live.mp4", items))
    assert probed["nb_read_frames"] == "20"


def test_a_new_viewer_starts_at_the_last_keyframe(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "clip.mp4", 2.5, fps=10, gop_seconds=1)
    muxer = LiveMuxer()
    assert muxer.start() == []
    _feed(muxer, clip, T0, annex_b=False)
    late = muxer.start()
    assert isinstance(late[0], LiveInit)
    gop = late[1:]
    assert len(gop) == 5
    assert isinstance(gop[0], LiveFragment)
    assert gop[0].keyframe
    assert not any(isinstance(f, LiveFragment) and f.keyframe for f in gop[1:])
    assert _probe(_write(tmp_path / "late.mp4", late))["nb_read_frames"] == "5"


def test_nothing_before_a_keyframe_and_after_reset(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "clip.mp4", 1.5, fps=10, gop_seconds=1)
    muxer = LiveMuxer()
    _feed(muxer, clip, T0, annex_b=False)
    muxer.reset()
    assert muxer.start() == []
    with av.open(str(clip)) as source:
        packets = [p for p in source.demux(source.streams.video[0]) if p.pts is not None]
    delta = next(p for p in packets if not p.is_keyframe)
    assert muxer.push(bytes(delta), keyframe=False, at=T0 + timedelta(seconds=5)) == []


def test_a_change_of_resolution_gives_a_new_init_segment(tmp_path: Path) -> None:
    small = write_clip(tmp_path / "small.mp4", 1, width=352, height=288, fps=10)
    large = write_clip(tmp_path / "large.mp4", 1, width=704, height=576, fps=10)
    muxer = LiveMuxer()
    first = _feed(muxer, small, T0, annex_b=True)
    second = _feed(muxer, large, T0 + timedelta(seconds=1), annex_b=True)
    inits = [i for i in first + second if isinstance(i, LiveInit)]
    assert [(i.width, i.height) for i in inits] == [(352, 288), (704, 576)]
    assert isinstance(second[0], LiveInit)
    probed = _probe(_write(tmp_path / "second.mp4", second))
    assert (probed["width"], probed["height"], probed["nb_read_frames"]) == (704, 576, "10")


def _high_profile_clip(path: Path, frames: int = 20) -> Path:
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=10, options={"profile": "high", "bf": "0"})
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for n in range(frames):
            frame = av.VideoFrame(320, 240, "yuv420p")
            for index, plane in enumerate(frame.planes):
                rows = 240 if index == 0 else 120
                data = bytearray([40 if index == 0 else 128]) * (plane.line_size * rows)
                if index == 0:  # a bright block moving to the right
                    for y in range(100, 140):
                        start = y * plane.line_size + 8 * n
                        data[start : start + 40] = b"\xdc" * 40
                plane.update(bytes(data))
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def test_a_high_profile_init_segment_carries_the_avcc_extension(tmp_path: Path) -> None:
    clip = _high_profile_clip(tmp_path / "high.mp4")
    with av.open(str(clip)) as source:
        extradata = source.streams.video[0].codec_context.extradata or b""
    items = _feed(LiveMuxer(), clip, T0, annex_b=True)
    init = items[0]
    assert isinstance(init, LiveInit)
    assert init.codec.startswith("avc1.64")
    sps = units_of_extradata(extradata)[0]
    assert avcc_extension(sps) == bytes([0xFD, 0xF8, 0xF8, 0])  # 4:2:0, 8 bits
    assert extradata.endswith(avcc_extension(sps))  # as FFmpeg writes it
    assert avcc_extension(sps) in init.data
    assert _probe(_write(tmp_path / "high-live.mp4", items))["nb_read_frames"] == "20"
