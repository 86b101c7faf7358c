"""The whole chain on people: a generated street clip recorded by the segment writer,
exported, analysed, the subject kept, the others hidden, rendered and signed — then the
delivered file is decoded and compared with the ground truth (issue 6: "keeps the selected
subject and hides the others in a generated clip with known positions")."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from sentinelle.core.clock import FakeClock
from sentinelle.disclosure import package, service
from sentinelle.disclosure.models import PlanInput
from sentinelle.privacy.anonymise.models import Analysis, Box
from sentinelle.runtime import Runtime
from tests.disclosure.conftest import AGENT, export_clip, request, run_jobs
from tests.support.people_clip import PeopleClip, write_people_clip


@pytest.fixture(scope="session")
def street(tmp_path_factory: pytest.TempPathFactory) -> PeopleClip:
    """The people clip as a camera sends it: no B-frames (what the segment writer records)."""
    folder = tmp_path_factory.mktemp("disclosure-street")
    clip = write_people_clip(folder / "generated.mp4")
    target = folder / "street.mp4"
    with av.open(str(clip.path)) as src, av.open(str(target), "w") as out:
        stream = out.add_stream("libx264", rate=clip.fps)
        stream.width, stream.height, stream.pix_fmt = clip.width, clip.height, "yuv420p"
        stream.time_base = Fraction(1, clip.fps)
        stream.options = {"crf": "18", "preset": "veryfast", "bf": "0", "g": str(clip.fps)}
        for n, frame in enumerate(src.decode(video=0)):
            frame.pts, frame.time_base = n, Fraction(1, clip.fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return dataclasses.replace(clip, path=target)


def _overlap(a: Box, b: Box) -> float:
    """Share of `a` covered by `b`."""
    w = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    h = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    return max(w, 0) * max(h, 0) / max(a.w * a.h, 1e-9)


def _subject_track(analysis: Analysis, clip: PeopleClip) -> int:
    """What the agent does: click the box lying on the person concerned."""
    scores: dict[int, float] = {}
    for track in analysis.tracks:
        for tb in track.boxes:
            truth = clip.truth[tb.frame].get(clip.subject)
            if truth is not None and tb.detected:
                scores[track.id] = scores.get(track.id, 0.0) + _overlap(truth, tb.box)
    return max(scores, key=lambda k: scores[k])


def _gray(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="gray").astype(float) for f in container.decode(video=0)]


def _crop(plane: np.ndarray, box: Box) -> np.ndarray:
    h, w = plane.shape
    x0, y0 = int(box.x * w) + 2, int(box.y * h) + 2
    x1, y1 = int((box.x + box.w) * w) - 2, int((box.y + box.h) * h) - 2
    return plane[y0:y1, x0:x1]


def _detail(plane: np.ndarray) -> float:
    return float(np.abs(np.diff(plane, axis=0)).mean() + np.abs(np.diff(plane, axis=1)).mean())


def test_the_subject_stays_visible_and_the_others_are_hidden(
    rt: Runtime, clock: FakeClock, street: PeopleClip, tmp_path: Path
) -> None:
    exported = export_clip(rt, clock, street.path, tmp_path)
    row = request(rt, exported)
    assert run_jobs(rt) == 1
    analysed = service.get_disclosure(rt, row.id)
    assert (analysed.status, analysed.frames) == ("review", street.frames)
    analysis = service.analysis_of(analysed)
    subject = _subject_track(analysis, street)
    service.do_save_plan(rt, AGENT, row.id, PlanInput(keep=[subject]), 0)
    service.do_request_render(rt, AGENT, row.id, "remise à la personne concernée")
    assert run_jobs(rt) == 1
    done = service.get_disclosure(rt, row.id)
    assert done.status == "done", done.error_message
    folder = Path(done.package_path)
    log = json.loads((folder / package.LOG_FILE).read_bytes())
    assert [t["id"] for t in log["kept_tracks"]] == [subject]
    assert log["hidden_tracks"], "the third parties' tracks are listed"

    before = _gray(Path(exported.export.package_path) / exported.file)
    after = _gray(folder / package.video_name(done.source_file))
    hidden = total = kept = shown = 0
    for n, boxes in enumerate(street.truth):
        for figure, box in boxes.items():
            src, out = _crop(before[n], box), _crop(after[n], box)
            if src.size == 0:
                continue
            if figure == street.subject:
                alone = all(_overlap(box, other) == 0 for f, other in boxes.items() if f != figure)
                if alone:
                    kept += 1
                    shown += float(np.abs(out - src).mean()) < 3.0
                continue
            total += 1
            hidden += _detail(out) < 0.35 * _detail(src)
    recall, visible = hidden / total, shown / kept
    print(f"chain: hidden {recall:.3f} of {total}, subject visible {visible:.3f}")  # noqa: T201
    assert recall >= 0.95
    assert visible >= 0.9
