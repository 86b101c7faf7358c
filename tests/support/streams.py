"""Faulty streams for the ingest tests, made from generated clips: MPEG-TS files (what a
camera's RTP payload looks like once depacketised: Annex B, parameter sets in-band) joined
with a change of parameters or a timestamp jump, and files with garbage in the middle."""

from __future__ import annotations

import random
from pathlib import Path

import av


def to_ts(clip: Path, target: Path, shift_seconds: float = 0.0) -> Path:
    """Remux an MP4 clip to MPEG-TS, its timestamps shifted by `shift_seconds`."""
    with av.open(str(clip)) as src, av.open(str(target), "w", format="mpegts") as out:
        stream = src.streams.video[0]
        assert stream.time_base is not None
        shift = round(shift_seconds / stream.time_base)
        track = out.add_stream_from_template(stream)
        for packet in src.demux(stream):
            if packet.dts is None or packet.pts is None:
                continue
            packet.pts, packet.dts = packet.pts + shift, packet.dts + shift
            packet.stream = track
            out.mux(packet)
    return target


def joined(target: Path, *parts: tuple[Path, float]) -> Path:
    """One MPEG-TS stream: each (clip, shift) remuxed on its own, then concatenated, as a
    camera that restarts its encoder mid-stream would send it."""
    data = b""
    for i, (clip, shift) in enumerate(parts):
        data += to_ts(clip, target.with_suffix(f".{i}.ts"), shift).read_bytes()
    target.write_bytes(data)
    return target


def with_garbage(source: Path, target: Path, at_fraction: float, size: int) -> Path:
    """A copy of `source` with `size` random bytes written over it at `at_fraction`."""
    data = bytearray(source.read_bytes())
    at = int(len(data) * at_fraction)
    data[at : at + size] = random.Random(7).randbytes(size)  # noqa: S311 - reproducible
    target.write_bytes(bytes(data))
    return target
