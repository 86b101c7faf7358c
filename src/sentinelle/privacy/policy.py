"""Pure decisions on masks: what the pipeline must do for a camera (P1, P5), which
configurations are refused, and the summary of a change that the journal keeps."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from sentinelle.privacy import errors
from sentinelle.privacy.geometry import Raster, rasterize
from sentinelle.privacy.models import CameraMasks, Enforcement, MaskMode, MaskProblem, Polygon
from sentinelle.registry.models import CameraKind


def is_ptz(camera_kind: str) -> bool:
    return camera_kind == CameraKind.PTZ


def unbound(polygons: Sequence[Polygon]) -> list[str]:
    """Names of the polygons bound to no PTZ preset."""
    return [p.name for p in polygons if p.ptz_preset is None]


def effective_mode(chosen: MaskMode, latched: bool) -> MaskMode:
    """The mode in force: a latch (failed audit) forces server mode whatever was chosen (P4)."""
    return MaskMode.SERVER if latched else chosen


def enforcement(
    camera_kind: str, chosen: MaskMode, latched: bool, polygons: Sequence[Polygon]
) -> Enforcement:
    """What the video pipeline must do now.

    Camera mode passes the stream through. Server mode burns the polygons in, except on a PTZ
    camera with a polygon bound to no preset: such a polygon cannot follow the camera, so the
    whole picture is hidden (P1: a gap rather than a leak). That happens only when a latch or
    a change of camera kind forced it; choosing it is refused (`check_mode`)."""
    if effective_mode(chosen, latched) is MaskMode.CAMERA:
        return Enforcement.CAMERA_SIDE
    if is_ptz(camera_kind) and unbound(polygons):
        return Enforcement.BLACKOUT
    return Enforcement.BURN_IN


def picture_mask(
    masks: CameraMasks, width: int, height: int, at_preset: str | None = None
) -> Raster | None:
    """The pixels the burn-in must hide in a `width` × `height` frame, or None when the camera
    masks itself. A PTZ camera applies the polygons of the preset it is at; while it moves or
    its position is unknown (`at_preset` None) the whole picture is hidden (P1)."""
    if masks.enforcement is Enforcement.CAMERA_SIDE:
        return None
    if masks.enforcement is Enforcement.BLACKOUT:
        return Raster.full(width, height)
    polygons = masks.current.polygons
    if is_ptz(masks.camera_kind):
        if at_preset is None:
            return Raster.full(width, height)
        polygons = tuple(p for p in polygons if p.ptz_preset == at_preset)
    return rasterize((p.points for p in polygons), width, height)


def check_presets(camera_kind: str, polygons: Sequence[Polygon]) -> None:
    """Only a PTZ camera has presets: a polygon bound to one elsewhere is refused."""
    if is_ptz(camera_kind):
        return
    for index, p in enumerate(polygons):
        if p.ptz_preset is not None:
            raise errors.preset_without_ptz(index, p.name, camera_kind)


def check_mode(camera_kind: str, mode: MaskMode, polygons: Sequence[Polygon]) -> None:
    """P5: a PTZ camera may be in server mode only if every polygon is bound to a preset."""
    if mode is MaskMode.SERVER and is_ptz(camera_kind):
        names = unbound(polygons)
        if names:
            raise errors.ptz_requires_camera_mode(names)


def problems(
    camera_kind: str, chosen: MaskMode, latched: bool, polygons: Sequence[Polygon]
) -> tuple[MaskProblem, ...]:
    """What the administrator must look at for this camera now."""
    out: list[MaskProblem] = []
    if latched:
        out.append(
            MaskProblem(
                "mask_audit_failed",
                "a mask audit failed: the server burns the masks in until an administrator "
                "confirms the camera is fixed",
            )
        )
    if enforcement(camera_kind, chosen, latched, polygons) is Enforcement.BLACKOUT:
        out.append(
            MaskProblem(
                "mask_ptz_requires_camera_mode",
                "this PTZ camera has polygons bound to no preset while the server masks it: "
                "its whole picture is hidden; bind every polygon to a preset, or fix the "
                "camera's own masks and confirm it",
            )
        )
    return tuple(out)


def digest(polygons: Sequence[Polygon]) -> str:
    """SHA-256 of the canonical JSON of a set: ties a stored version to its journal entry."""
    text = json.dumps(
        [p.as_json() for p in polygons], sort_keys=True, ensure_ascii=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


def diff(old: Sequence[Polygon], new: Sequence[Polygon]) -> dict[str, list[str]]:
    """Which named polygons a new set adds, removes and changes (shape, preset or fill)."""
    before = {p.name: p for p in old}
    after = {p.name: p for p in new}
    return {
        "added": [n for n in after if n not in before],
        "removed": [n for n in before if n not in after],
        "changed": [n for n in after if n in before and after[n] != before[n]],
    }
