"""Timelines: for one camera and a period, the recorded ranges and the gaps with their reason,
and per-day or per-hour summaries of recorded time (the console's scrub bar).

A gap's reason comes from what is on record, by precedence:
1. `purged`: a line of the destruction register of the camera covers it (exact times);
2. `not_in_service`: the camera was not lawfully in service — before it was registered, its
   authorisation not valid (days of the site's time zone), its current status not in service
   since it changed, or a `withdrawn` event of the ingest worker until the next `connected`;
3. `offline`: a `disconnected` event until the next `connected` (or `stopped`, `withdrawn`),
   the event's reason as the gap's cause;
4. `not_recorded` otherwise (cause `stopped` when the recorder itself was stopped).

Events are emitted when a failure is detected (after a stall time-out, a failed connection
attempt, the worker's next refresh), a little after the recording stopped: an unexplained
stretch takes the reason of the offline or withdrawn stretch that directly follows it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from sentinelle.core.clock import ensure_utc
from sentinelle.ingest.events import EventKind
from sentinelle.ingest.writer import SEGMENT_TARGET
from sentinelle.playback import repository
from sentinelle.playback.models import (
    Bucket,
    CameraSummary,
    Gap,
    GapReason,
    RecordedRange,
    SegmentFacts,
    SummaryBucket,
    Timeline,
)
from sentinelle.playback.repository import ServiceFacts, StateEvent
from sentinelle.registry.models import CameraStatus
from sentinelle.runtime import Runtime

# Segments closer than this are one recorded range (the writer cuts on packet boundaries).
MERGE_TOLERANCE = timedelta(seconds=0.5)
# A segment is catalogued when it ends: footage younger than this may still be in the writer.
IN_PROGRESS = 2 * SEGMENT_TARGET
STOPPED_CAUSE = "stopped"
WITHDRAWN_CAUSE = "withdrawn"
NOT_REGISTERED_CAUSE = "not_registered"
AUTHORISATION_CAUSE = "authorisation_not_valid"

Span = tuple[datetime, datetime]
Label = tuple[GapReason, str]
Labelled = tuple[datetime, datetime, str]  # (start, end, cause)


# --- use cases ---------------------------------------------------------------------------------


def timeline(rt: Runtime, camera_id: int, start: datetime, end: datetime) -> Timeline:
    """One camera's timeline over [start, end), read in one snapshot of the catalogue."""
    with rt.db.snapshot() as s:
        return load_timeline(s, camera_id, start, end, rt.now(), rt.settings.timezone)


def summaries(
    rt: Runtime, camera_ids: Sequence[int], start: datetime, end: datetime, bucket: Bucket
) -> list[CameraSummary]:
    """Recorded seconds and coverage per day or hour of the site's time zone, per camera."""
    start, end = ensure_utc(start), ensure_utc(end)
    with rt.db.read() as s:
        spans = repository.segment_spans(s, camera_ids, start, end)
    edges = bucket_edges(start, end, bucket, rt.settings.timezone)
    now = rt.now()
    return [
        CameraSummary(camera_id, summarise(spans.get(camera_id, []), edges, now))
        for camera_id in camera_ids
    ]


def load_timeline(
    s: Session, camera_id: int, start: datetime, end: datetime, now: datetime, tz: ZoneInfo
) -> Timeline:
    """A camera's timeline over [start, end) in the caller's session; gaps stop at `now`."""
    start, end = ensure_utc(start), ensure_utc(end)
    until = max(start, min(end, now))
    ranges = merge_ranges(repository.segment_facts(s, camera_id, start, end), start, end)
    pieces = uncovered(ranges, start, until)
    gaps: list[Gap] = []
    if pieces:
        layers = _layers(s, camera_id, start, until, tz)
        gaps = [gap for a, b in pieces for gap in label_piece(a, b, layers)]
        gaps = _in_progress(gaps, until, now)
    return Timeline(camera_id, start, end, until, tuple(ranges), tuple(gaps))


def _in_progress(gaps: list[Gap], until: datetime, now: datetime) -> list[Gap]:
    """A gap that nothing explains, from a recent instant to the end of the timeline, is the
    segment still being written (catalogued when it ends, S3): say so."""
    last = gaps[-1] if gaps else None
    if (
        last is not None
        and last.reason is GapReason.NOT_RECORDED
        and last.end == until
        and now - last.start <= IN_PROGRESS
    ):
        gaps[-1] = Gap(last.start, last.end, GapReason.RECORDING, "segment_in_progress")
    return gaps


# --- recorded ranges ---------------------------------------------------------------------------


def merge_ranges(
    segments: Sequence[SegmentFacts], start: datetime, end: datetime
) -> list[RecordedRange]:
    """Group time-ordered segments into ranges (a break over `MERGE_TOLERANCE` starts a new
    one); each range is clipped to [start, end)."""
    ranges: list[RecordedRange] = []
    group: list[SegmentFacts] = []
    group_end = start
    for seg in segments:
        if group and seg.start - group_end > MERGE_TOLERANCE:
            ranges.append(_range(group, group_end, start, end))
            group = []
        group.append(seg)
        group_end = seg.end if len(group) == 1 else max(group_end, seg.end)
    if group:
        ranges.append(_range(group, group_end, start, end))
    return ranges


def _range(
    group: list[SegmentFacts], group_end: datetime, start: datetime, end: datetime
) -> RecordedRange:
    return RecordedRange(max(group[0].start, start), min(group_end, end), tuple(group))


def uncovered(ranges: Sequence[RecordedRange], start: datetime, until: datetime) -> list[Span]:
    """The stretches of [start, until) that no range covers."""
    pieces: list[Span] = []
    cursor = start
    for r in ranges:
        if r.start > cursor and r.start - cursor > MERGE_TOLERANCE:
            pieces.append((cursor, min(r.start, until)))
        cursor = max(cursor, r.end)
    if until > cursor:
        pieces.append((cursor, until))
    return [(a, b) for a, b in pieces if b > a]


# --- what explains a gap -------------------------------------------------------------------------


class Layer:
    """Disjoint, time-ordered stretches that give one reason (with a cause each)."""

    def __init__(self, reason: GapReason, spans: Iterable[Labelled]) -> None:
        self.reason = reason
        self.spans = _disjoint(spans)
        self._starts = [a for a, _, _ in self.spans]
        self._ends = [b for _, b, _ in self.spans]

    def within(self, a: datetime, b: datetime) -> list[Labelled]:
        """The stretches overlapping [a, b), clipped to it."""
        first = bisect.bisect_right(self._ends, a)
        last = bisect.bisect_left(self._starts, b)
        return [(max(x, a), min(y, b), c) for x, y, c in self.spans[first:last]]


def _disjoint(spans: Iterable[Labelled]) -> list[Labelled]:
    """Sorted; where two overlap, the earlier keeps the overlap."""
    out: list[Labelled] = []
    for a, b, cause in sorted(spans, key=lambda span: span[0]):
        begin = max(a, out[-1][1]) if out else a
        if b > begin:
            out.append((begin, b, cause))
    return out


def _layers(
    s: Session, camera_id: int, start: datetime, until: datetime, tz: ZoneInfo
) -> list[Layer]:
    """The layers of explanations, by precedence."""
    purged = repository.purged_spans(s, camera_id, start, until)
    events = event_spans(repository.state_events(s, camera_id, start, until), until)
    facts = repository.service_facts(s, camera_id)
    out_of_service = [] if facts is None else service_spans(facts, start, until, tz)
    return [
        Layer(GapReason.PURGED, purged),
        Layer(GapReason.NOT_IN_SERVICE, out_of_service + events[GapReason.NOT_IN_SERVICE]),
        Layer(GapReason.OFFLINE, events[GapReason.OFFLINE]),
        Layer(GapReason.NOT_RECORDED, events[GapReason.NOT_RECORDED]),
    ]


_OPENS: dict[EventKind, GapReason] = {
    EventKind.DISCONNECTED: GapReason.OFFLINE,
    EventKind.WITHDRAWN: GapReason.NOT_IN_SERVICE,
    EventKind.STOPPED: GapReason.NOT_RECORDED,
}


def event_spans(events: Sequence[StateEvent], until: datetime) -> dict[GapReason, list[Labelled]]:
    """The stretches camera events explain: each state event ends the stretch open and opens
    its own (`connected` none); repeated `disconnected` events extend the first one, and the
    `stopped` of a withdrawn camera's session does not end its withdrawal."""
    out: dict[GapReason, list[Labelled]] = {reason: [] for reason in GapReason}
    current: tuple[GapReason, datetime, str] | None = None
    for event in events:
        reason = _OPENS.get(event.kind)
        if current is not None and reason is not None and _continues(current[0], reason):
            continue
        if current is not None and _explains_stop(current[0], reason):
            current = (GapReason.NOT_IN_SERVICE, current[1], WITHDRAWN_CAUSE)
            continue
        if current is not None:
            out[current[0]].append((current[1], event.at, current[2]))
        current = None if reason is None else (reason, event.at, _cause(event))
    if current is not None and until > current[1]:
        out[current[0]].append((current[1], until, current[2]))
    return out


def _continues(current: GapReason, new: GapReason) -> bool:
    return current is new or (current is GapReason.NOT_IN_SERVICE and new is GapReason.NOT_RECORDED)


def _explains_stop(current: GapReason, new: GapReason | None) -> bool:
    """A withdrawal just after a `stopped` says why the session was stopped."""
    return current is GapReason.NOT_RECORDED and new is GapReason.NOT_IN_SERVICE


def _cause(event: StateEvent) -> str:
    if event.kind is EventKind.WITHDRAWN:
        return WITHDRAWN_CAUSE
    if event.kind is EventKind.STOPPED:
        return STOPPED_CAUSE
    return event.reason or ""


def service_spans(
    facts: ServiceFacts, start: datetime, until: datetime, tz: ZoneInfo
) -> list[Labelled]:
    """When the registry says the camera was not to be recorded, within [start, until):
    before it was registered, outside its authorisation's validity (whole days of the site),
    and since its status left `in_service` when it is not in service now."""
    valid_from = _local_midnight(facts.issued_on.toordinal(), tz)
    valid_until = _local_midnight(facts.expires_on.toordinal() + 1, tz)
    spans: list[Labelled] = [
        (start, facts.created_at, NOT_REGISTERED_CAUSE),
        (start, valid_from, AUTHORISATION_CAUSE),
        (valid_until, until, AUTHORISATION_CAUSE),
    ]
    if facts.status != CameraStatus.IN_SERVICE:
        spans.append((facts.status_changed_at, until, facts.status))
    return [(a, b, cause) for a, b, cause in spans if b > a]


def _local_midnight(ordinal: int, tz: ZoneInfo) -> datetime:
    """The start (UTC) of a calendar day of the site's time zone."""
    return ensure_utc(datetime.combine(date.fromordinal(ordinal), time(0), tzinfo=tz))


def label_piece(a: datetime, b: datetime, layers: Sequence[Layer]) -> list[Gap]:
    """The gaps making up the uncovered stretch [a, b), each with its reason."""
    found = [(layer.reason, layer.within(a, b)) for layer in layers]
    edges = sorted({a, b, *(t for _, spans in found for x, y, _ in spans for t in (x, y))})
    labels = [_label_at(x, found) for x in edges[:-1]]
    labels = _explain_starts(labels)
    gaps: list[Gap] = []
    for x, y, label in zip(edges[:-1], edges[1:], labels, strict=True):
        reason, cause = label or (GapReason.NOT_RECORDED, "")
        if gaps and (gaps[-1].reason, gaps[-1].cause) == (reason, cause):
            gaps[-1] = Gap(gaps[-1].start, y, reason, cause)
        else:
            gaps.append(Gap(x, y, reason, cause))
    return gaps


def _label_at(x: datetime, found: list[tuple[GapReason, list[Labelled]]]) -> Label | None:
    """The reason of highest precedence whose stretches hold the instant `x`."""
    for reason, spans in found:
        for a, b, cause in spans:
            if a <= x < b:
                return reason, cause
    return None


def _detected_late(label: Label | None) -> bool:
    """Whether a label comes from an event, emitted some time after the recording stopped."""
    return label is not None and (
        label[0] is GapReason.OFFLINE or label == (GapReason.NOT_IN_SERVICE, WITHDRAWN_CAUSE)
    )


def _explain_starts(labels: list[Label | None]) -> list[Label | None]:
    """An unexplained stretch followed by an offline or withdrawn one takes its label."""
    out = list(labels)
    for i in range(len(out) - 2, -1, -1):
        if out[i] is None and _detected_late(out[i + 1]):
            out[i] = out[i + 1]
    return out


# --- summaries -----------------------------------------------------------------------------------


def bucket_edges(start: datetime, end: datetime, bucket: Bucket, tz: ZoneInfo) -> list[datetime]:
    """Edges of the days (or hours) of the site's time zone that [start, end) meets, clipped
    to it: [start, e1, e2, ..., end]."""
    edges = [start]
    edge = _next_edge(start, bucket, tz)
    while edge < end:
        edges.append(edge)
        edge = _next_edge(edge, bucket, tz)
    edges.append(end)
    return edges


def _next_edge(after: datetime, bucket: Bucket, tz: ZoneInfo) -> datetime:
    """The first start of a day (or an hour) of the site's time zone after `after`."""
    local = after.astimezone(tz)
    if bucket is Bucket.DAY:
        return _local_midnight(local.date().toordinal() + 1, tz)
    return ensure_utc(local.replace(minute=0, second=0, microsecond=0)) + timedelta(hours=1)


def summarise(
    spans: Sequence[Span], edges: Sequence[datetime], now: datetime
) -> tuple[SummaryBucket, ...]:
    """Recorded seconds of time-ordered spans per bucket between consecutive `edges` (in
    POSIX seconds: a month of one-minute segments is 43,200 spans)."""
    cuts = [edge.timestamp() for edge in edges]
    recorded = [0.0] * (len(cuts) - 1)
    first, last = cuts[0], cuts[-1]
    for span_start, span_end in spans:
        a, b = max(span_start.timestamp(), first), min(span_end.timestamp(), last)
        i = max(0, bisect.bisect_right(cuts, a) - 1)
        while a < b and i < len(recorded):
            upto = min(b, cuts[i + 1])
            recorded[i] += upto - a
            a, i = upto, i + 1
    return tuple(
        _bucket(edges[i], edges[i + 1], seconds, now) for i, seconds in enumerate(recorded)
    )


def _bucket(start: datetime, end: datetime, seconds: float, now: datetime) -> SummaryBucket:
    elapsed = (min(end, max(start, now)) - start).total_seconds()
    coverage = min(1.0, seconds / elapsed) if elapsed > 0 else 0.0
    return SummaryBucket(start, end, round(seconds, 3), round(coverage, 4))
