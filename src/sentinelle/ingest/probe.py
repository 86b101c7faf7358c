"""Testing a camera stream before (or while) it is registered: open the URL with PyAV, read
until the first keyframe, measure the real frame rate over a short window, and say whether the
stream meets the arrêté of 3 August 2007 minimums for the camera's field of view and flows.

Safety (docs/design/admin-registry.md): only `rtsp://` and `rtsps://` are probed (no files, no
HTTP: the server must not become a way to read its own disk or reach web services); the whole
probe is bounded by a deadline; the journal names the host tested, never the URL's
credentials; the keyframe is encoded as a JPEG only for a caller with a valid habilitation
(seeing images is reserved to habilitated staff, CSI L252-2). A URL that names a registered
camera (`stills.registered`) is that camera: its preview follows the camera's rules — the
caller's habilitation must cover it, it must be in lawful service, and the masks in force are
burnt in unless the camera masks itself (privacy P1) — and the journal names it.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any
from urllib.parse import urlsplit

import av
import av.error
import av.video.frame

from sentinelle.access.models import CameraScope
from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.core.errors import InvalidInput, RuleViolation, SentinelleError, Unavailable
from sentinelle.ingest import stills
from sentinelle.privacy.models import CameraMasks
from sentinelle.registry import streams
from sentinelle.registry.models import FieldOfView
from sentinelle.runtime import Runtime
from sentinelle.storage import conformity

PROBE_SCHEMES = frozenset({"rtsp", "rtsps"})
SUPPORTED_CODECS = frozenset({"h264", "hevc"})  # what the recorder stores and players read
PROBE_TIMEOUT_SECONDS = 8.0  # the whole probe: connection, first keyframe, rate window
READ_STALL_SECONDS = 2.0  # a read waiting longer than this ends the probe
FPS_WINDOW_SECONDS = 1.0  # stream time measured after the first keyframe
FPS_MAX_FRAMES = 120
JPEG_QUANTISER = 3
_QP2LAMBDA = 118  # FFmpeg's FF_QP2LAMBDA


# --- errors (stable codes) ------------------------------------------------------------------


def scheme_not_allowed(scheme: str) -> InvalidInput:
    return InvalidInput(
        "probe_scheme_not_allowed",
        f"only rtsp:// and rtsps:// streams can be tested, not {scheme or 'no scheme'}://",
        {"scheme": scheme},
    )


def unreachable(detail: str) -> Unavailable:
    return Unavailable("probe_unreachable", f"the stream cannot be reached: {detail}")


def timed_out(seconds: float) -> Unavailable:
    return Unavailable(
        "probe_timeout",
        f"no keyframe within {seconds:.0f} s",
        {"timeout_seconds": seconds},
    )


def auth_refused(detail: str) -> Unavailable:
    return Unavailable("probe_auth_refused", f"the camera refused the credentials: {detail}")


def no_video() -> RuleViolation:
    return RuleViolation("probe_no_video", "the stream carries no video")


def unsupported_codec(codec: str) -> RuleViolation:
    return RuleViolation(
        "probe_unsupported_codec",
        f"video codec {codec} is not supported (H.264 or H.265 only)",
        {"codec": codec, "supported": sorted(SUPPORTED_CODECS)},
    )


# --- the probe ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StreamFacts:
    """What a probe learnt: codec, stored picture size, real frame rate (0 when fewer than two
    frames came within the deadline), and the first keyframe (a JPEG only when asked)."""

    codec: str
    width: int
    height: int
    fps: float
    frames_measured: int
    jpeg: bytes | None


def check_url(url: str) -> str:
    """The stripped URL if it may be probed; refuses other schemes before any connection."""
    scheme = urlsplit(url.strip()).scheme.lower()
    if scheme not in PROBE_SCHEMES:
        raise scheme_not_allowed(scheme)
    return streams.validate("main", url)


def probe(
    url: str,
    *,
    preview: bool,
    masks: Sequence[CameraMasks] = (),
    timeout: float = PROBE_TIMEOUT_SECONDS,
) -> StreamFacts:
    """Open `url` (rtsp/rtsps, over TCP), read to the first keyframe, measure the frame rate;
    the preview JPEG, if asked, has `masks` burnt in (`stills.masked`).

    Raises one of the errors above. Takes at most `timeout` seconds, plus one stalled read
    (`READ_STALL_SECONDS`) when the stream stops after connecting."""
    url = check_url(url)
    deadline = time.monotonic() + timeout
    micros = str(round(timeout * 1_000_000))
    try:
        source = av.open(
            url,
            options={"rtsp_transport": "tcp", "timeout": micros},
            timeout=(timeout, min(timeout, READ_STALL_SECONDS)),
        )
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise _mapped(exc, url, timeout, _expired(deadline)) from exc
    with source:
        if not source.streams.video:
            raise no_video()
        stream = source.streams.video[0]
        codec = stream.codec_context.name
        if codec not in SUPPORTED_CODECS:
            raise unsupported_codec(codec)
        try:
            facts, frame = _read(source, stream, codec, deadline, timeout)
        except (av.error.FFmpegError, OSError) as exc:
            raise _mapped(exc, url, timeout, _expired(deadline)) from exc
    jpeg = encode_jpeg(stills.masked(frame, masks)) if preview else None
    return replace(facts, jpeg=jpeg)


def _expired(deadline: float) -> bool:
    """Whether a failure came at the deadline: FFmpeg reports a silent RTSP server's time-out
    as invalid data, so the clock tells a hung camera from a broken one."""
    return time.monotonic() >= deadline - 0.1


def _read(
    source: Any, stream: Any, codec: str, deadline: float, timeout: float
) -> tuple[StreamFacts, av.video.frame.VideoFrame]:
    """Demux until the first decodable keyframe, then count frames over the rate window; the
    facts (without a JPEG) and the keyframe."""
    time_base = float(stream.time_base or Fraction(1, 90_000))
    frame: av.video.frame.VideoFrame | None = None
    first_pts: int | None = None
    last_pts, frames = 0, 0
    for packet in source.demux(stream):
        if packet.pts is None:
            continue
        if time.monotonic() > deadline:
            break
        if first_pts is None:
            if not packet.is_keyframe:
                continue
            frame = _decode(stream, packet)
            if frame is None:
                continue
            first_pts = packet.pts
        frames, last_pts = frames + 1, packet.pts
        span = (last_pts - first_pts) * time_base
        if span >= FPS_WINDOW_SECONDS or frames >= FPS_MAX_FRAMES:
            break
    if frame is None or first_pts is None:
        raise timed_out(timeout)
    span = (last_pts - first_pts) * time_base
    fps = round((frames - 1) / span, 2) if frames > 1 and span > 0 else 0.0
    return StreamFacts(codec, frame.width, frame.height, fps, frames, None), frame


def _decode(stream: Any, packet: Any) -> av.video.frame.VideoFrame | None:
    try:
        frames = stream.codec_context.decode(packet)
    except av.error.InvalidDataError:
        return None
    return frames[0] if frames else None


def encode_jpeg(frame: av.video.frame.VideoFrame) -> bytes:
    """The keyframe as a JPEG (PyAV's MJPEG encoder)."""
    context = av.CodecContext.create("mjpeg", "w")
    if not isinstance(context, av.VideoCodecContext):
        raise TypeError("mjpeg")
    context.width, context.height, context.pix_fmt = frame.width, frame.height, "yuvj420p"
    context.time_base = Fraction(1, 25)
    context.qscale = True
    context.global_quality = JPEG_QUANTISER * _QP2LAMBDA
    picture = frame.reformat(format="yuvj420p")
    picture.pts = 0
    return b"".join(bytes(p) for p in [*context.encode(picture), *context.encode(None)])


def _mapped(exc: BaseException, url: str, timeout: float, expired: bool) -> SentinelleError:
    """FFmpeg's failure as one of the probe's errors; the URL's credentials never appear."""
    detail = str(exc).replace(url, streams.redact(url))
    code = getattr(exc, "errno", None)
    if isinstance(exc, av.error.HTTPUnauthorizedError | av.error.HTTPForbiddenError):
        return auth_refused(detail)
    if code in (errno.EACCES, errno.EPERM) or "401" in detail or "Unauthorized" in detail:
        return auth_refused(detail)
    if expired or isinstance(exc, av.error.TimeoutError | av.error.ExitError):
        return timed_out(timeout)
    if code == errno.ETIMEDOUT:
        return timed_out(timeout)
    return unreachable(detail)


# --- the use case ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProbeReport:
    facts: StreamFacts
    assessment: conformity.Conformity
    url_redacted: str
    preview_withheld: str | None = None  # why no preview (a stable code), None when shown
    masked: bool = False  # the preview has a registered camera's masks burnt in


def do_probe_stream(
    rt: Runtime,
    actor: Actor,
    url: str,
    field_of_view: FieldOfView,
    fast_flows: bool,
    *,
    scope: CameraScope,
    timeout: float = PROBE_TIMEOUT_SECONDS,
) -> ProbeReport:
    """Probe `url` and journal who tested which host (and which registered camera it is),
    with the outcome (success or error code) and whether a preview image was shown; the
    journal entry is written either way. The preview follows `stills`: shown to a caller whose
    video `scope` is a valid habilitation covering the camera(s) the URL names, in lawful
    service, with their masks in force burnt in."""
    target = _target(url)
    cameras = stills.registered(rt, url)
    known: dict[str, Any] = {"camera_id": cameras[0].camera_id if cameras else None}
    if len(cameras) > 1:
        known["camera_ids"] = [c.camera_id for c in cameras]
    withheld = stills.withheld(scope, cameras)
    burnt = stills.to_burn(cameras) if withheld is None else []
    try:
        facts = probe(url, preview=withheld is None, masks=burnt, timeout=timeout)
    except SentinelleError as exc:
        _journal(rt, actor, target, known | {"outcome": exc.code, "preview": False})
        raise
    result = conformity.assess(facts.width, facts.height, facts.fps, field_of_view, fast_flows)
    outcome = {
        "outcome": "ok",
        "codec": facts.codec,
        "width": facts.width,
        "height": facts.height,
        "fps": facts.fps,
        "field_of_view": str(field_of_view),
        "fast_flows": fast_flows,
        "conforming": result.ok,
        "preview": facts.jpeg is not None,
        "preview_withheld": withheld,
        "masks_burnt_in": [m.current.version for m in burnt],
    }
    _journal(rt, actor, target, known | outcome)
    return ProbeReport(facts, result, streams.redact(url.strip()), withheld, bool(burnt))


def _target(url: str) -> dict[str, Any]:
    """Scheme, host and port of the URL: what the journal keeps of it (no path, no user)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return {"scheme": "", "host": "", "port": None}
    return {"scheme": parts.scheme.lower(), "host": parts.hostname or "", "port": port}


def _journal(rt: Runtime, actor: Actor, target: dict[str, Any], outcome: dict[str, Any]) -> None:
    now = rt.now()
    with rt.db.write() as s:
        record(
            s,
            EntryDraft(
                actor,
                AuditAction.CAMERA_STREAM_PROBED,
                "stream",
                str(target["host"]),
                details=target | outcome,
            ),
            now,
        )
