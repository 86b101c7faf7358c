"""Analysis and render on small files: H.265 sources, progress and cancel, unreadable
sources, plans refused before anything is written, manual regions over a figure the
detector misses, dismissed tracks left visible, atomic writes."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from sentinelle.core.errors import InvalidInput, SentinelleError, Unavailable
from sentinelle.privacy.anonymise.analysis import analyse
from sentinelle.privacy.anonymise.geometry import intersection
from sentinelle.privacy.anonymise.models import (
    Analysis,
    Effect,
    ManualRegion,
    RedactionPlan,
    TrackKind,
)
from sentinelle.privacy.anonymise.render import render
from tests.privacy.anonymise.test_acceptance import crop, detail, lumas, psnr
from tests.support.people_clip import Figure, PeopleClip, write_people_clip

WIDTH, HEIGHT, FPS = 480, 270, 10
WALKER = Figure(120, 240, 3.0, 0.0, 170, (40, 40, 90))  # tall enough for HOG
TINY = Figure(400, 120, 0.0, 0.0, 40, (30, 60, 30))  # far too small for HOG


@pytest.fixture(scope="module")
def small_clip(tmp_path_factory: pytest.TempPathFactory) -> PeopleClip:
    path = tmp_path_factory.mktemp("small") / "small.mp4"
    return write_people_clip(
        path, width=WIDTH, height=HEIGHT, fps=FPS, seconds=3, figures=(WALKER, TINY)
    )


@pytest.fixture(scope="module")
def small_analysis(small_clip: PeopleClip) -> Analysis:
    return analyse(small_clip.path)


def test_facts_progress_and_parameters(small_clip: PeopleClip, small_analysis: Analysis) -> None:
    facts = small_analysis.facts
    assert (facts.frames, facts.fps, facts.width, facts.height, facts.codec) == (
        30,
        10.0,
        480,
        270,
        "h264",
    )
    assert small_analysis.detector["params"]["working_width"] == 640
    assert small_analysis.detector["tracker"]["max_gap"] == 5
    seen: list[float] = []
    again = analyse(small_clip.path, on_progress=seen.append, stride=3)
    assert seen[-1] == 1.0
    assert seen == sorted(seen)
    assert again.detector["stride"] == 3
    assert any(t.kind == TrackKind.PERSON for t in again.tracks)


def test_a_progress_callback_that_raises_cancels(small_clip: PeopleClip, tmp_path: Path) -> None:
    class Cancelled(Exception):
        pass

    def cancel(_: float) -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        analyse(small_clip.path, on_progress=cancel)
    analysis = analyse(small_clip.path, stride=5)
    out = tmp_path / "out.mp4"
    with pytest.raises(Cancelled):
        render(small_clip.path, out, analysis, RedactionPlan(), on_progress=cancel)
    assert list(tmp_path.iterdir()) == []  # no partial file left


def test_an_h265_source_is_analysed_and_rendered(tmp_path: Path) -> None:
    clip = write_people_clip(
        tmp_path / "hevc.mp4",
        width=WIDTH,
        height=HEIGHT,
        fps=FPS,
        seconds=1,
        figures=(WALKER,),
        codec="libx265",
    )
    analysis = analyse(clip.path)
    assert analysis.facts.codec == "hevc"
    assert analysis.facts.frames == 10
    stats = render(clip.path, tmp_path / "out.mp4", analysis, RedactionPlan())
    with av.open(str(tmp_path / "out.mp4")) as c:
        assert c.streams.video[0].codec_context.name == "h264"
    assert stats.frames == 10


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (None, "redaction_source_missing"),
        (b"", "redaction_source_unreadable"),
        (b"\0" * 4096, "redaction_source_unreadable"),
    ],
)
def test_an_unreadable_source_is_a_clear_error(
    tmp_path: Path, content: bytes | None, code: str
) -> None:
    path = tmp_path / "bad.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SentinelleError) as caught:
        analyse(path)
    assert caught.value.code == code
    assert isinstance(caught.value, Unavailable if content is None else InvalidInput)


def test_a_truncated_source_is_refused_by_render(
    small_clip: PeopleClip, small_analysis: Analysis, tmp_path: Path
) -> None:
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(small_clip.path.read_bytes()[: small_clip.path.stat().st_size // 2])
    with pytest.raises(SentinelleError) as caught:
        render(cut, tmp_path / "out.mp4", small_analysis, RedactionPlan())
    assert caught.value.code in {"redaction_source_unreadable", "redaction_analysis_mismatch"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.mp4"]


def test_a_bad_plan_is_refused_before_writing(
    small_clip: PeopleClip, small_analysis: Analysis, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput) as caught:
        render(
            small_clip.path,
            tmp_path / "out.mp4",
            small_analysis,
            RedactionPlan(keep=frozenset({99})),
        )
    assert caught.value.code == "redaction_unknown_track"
    assert list(tmp_path.iterdir()) == []


def test_manual_region_hides_a_missed_figure_and_a_dismissed_track_stays_visible(
    small_clip: PeopleClip, small_analysis: Analysis, tmp_path: Path
) -> None:
    tiny = small_clip.truth[0][1]
    assert not any(
        (b := t.box_at(n)) is not None and intersection(b, tiny) > 0
        for t in small_analysis.tracks
        for n in range(small_clip.frames)
    ), "the small figure should be missed by the detector"
    walker = [t.id for t in small_analysis.tracks if t.kind == TrackKind.PERSON]
    assert walker
    region = ManualRegion("tiny", 5, 24, tiny.grown(0.2).clipped())
    plan = RedactionPlan(Effect.PIXELATE, dismissed=frozenset(walker), manual=(region,))
    out = tmp_path / "out.mp4"
    stats = render(small_clip.path, out, small_analysis, plan)
    assert stats.frames == 30
    assert stats.frames_redacted >= 20
    source, _ = lumas(small_clip.path)
    redacted, _ = lumas(out)
    for n in range(small_clip.frames):
        ratio = detail(crop(redacted[n], tiny)) / detail(crop(source[n], tiny))
        assert (ratio < 0.25) == (5 <= n <= 24), n
        walker_box = small_clip.truth[n][0]
        if not intersection(walker_box, region.box) and not any(
            (f := t.box_at(n)) is not None and intersection(f, walker_box) > 0
            for t in small_analysis.tracks
            if t.kind == TrackKind.FACE
        ):
            assert psnr(crop(redacted[n], walker_box), crop(source[n], walker_box)) > 30


def test_render_replaces_the_destination_atomically(
    small_clip: PeopleClip, small_analysis: Analysis, tmp_path: Path
) -> None:
    out = tmp_path / "out.mp4"
    out.write_bytes(b"old")
    render(small_clip.path, out, small_analysis, RedactionPlan())
    assert out.stat().st_size > 1000
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]
    with av.open(str(out)) as c:
        frames = [np.asarray(f.to_ndarray(format="gray")) for f in c.decode(video=0)]
    assert len(frames) == small_clip.frames
