"""Sources cameras really send: a picture smaller than the people detector's window (it
must not crash the analysis: it runs in the API's process), and full-range video
(`yuvj420p`), whose pixels outside hidden regions must come out as decoded."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from sentinelle.privacy.anonymise.analysis import analyse
from sentinelle.privacy.anonymise.models import Box, ManualRegion, RedactionPlan
from sentinelle.privacy.anonymise.render import render


def _clip(path: Path, width: int, height: int, pix_fmt: str) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        for n in range(10):
            planes = np.full((height * 3 // 2, width), 128, np.uint8)
            planes[:height, : width // 2] = 250  # near white, beyond limited range's 235
            planes[:height, width // 2 :] = 5  # near black, below limited range's 16
            frame = av.VideoFrame.from_ndarray(planes, format=pix_fmt)
            frame.pts = n
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def _luma(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frame = next(container.decode(stream))
        return frame.to_ndarray()[: frame.height].astype(int), stream.codec_context.color_range


def test_a_picture_smaller_than_the_detector_window_is_analysed(tmp_path: Path) -> None:
    analysis = analyse(_clip(tmp_path / "tiny.mp4", 64, 48, "yuv420p"))
    assert (analysis.facts.frames, analysis.tracks) == (10, ())


@pytest.mark.parametrize("pix_fmt", ["yuvj420p", "yuv420p"])
def test_pixels_outside_hidden_regions_keep_their_range(tmp_path: Path, pix_fmt: str) -> None:
    src = _clip(tmp_path / f"{pix_fmt}.mp4", 320, 240, pix_fmt)
    analysis = analyse(src)
    region = ManualRegion("r", 0, 9, Box(0.0, 0.5, 0.5, 0.5))  # bottom-left hidden
    render(src, tmp_path / "out.mp4", analysis, RedactionPlan(manual=(region,)))
    before, range_before = _luma(src)
    after, range_after = _luma(tmp_path / "out.mp4")
    assert range_after == range_before
    untouched = (slice(0, 110), slice(0, 320))  # the top half, away from the region
    assert np.abs(after[untouched] - before[untouched]).max() <= 3
