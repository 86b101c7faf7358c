"""Conformity of what is actually stored to the arrêté of 3 August 2007: resolution and real
frame rate against the camera's field of view and flows. Non-conformity is reported, it never
stops recording."""

from __future__ import annotations

from dataclasses import dataclass

from sentinelle.registry.models import FieldOfView
from sentinelle.registry.policy import LegalMinimums, legal_minimums


@dataclass(frozen=True, slots=True)
class Conformity:
    ok: bool
    problems: tuple[str, ...]
    minimums: LegalMinimums


def assess(
    width: int, height: int, fps: float, field_of_view: FieldOfView, fast_flows: bool
) -> Conformity:
    minimums = legal_minimums(field_of_view, fast_flows)
    problems = []
    if width < minimums.width or height < minimums.height:
        problems.append(f"resolution {width}×{height} below {minimums.width}×{minimums.height}")
    if fps + 0.05 < minimums.fps:  # measured rates wobble a little around the nominal one
        problems.append(f"frame rate {fps:.1f} fps below {minimums.fps} fps")
    return Conformity(not problems, tuple(problems), minimums)
