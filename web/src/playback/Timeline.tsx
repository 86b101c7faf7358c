// The playback timeline: per camera a bar of recorded ranges and gaps coloured by reason, the
// playhead, the mark in/out selection, time labels in the site's time zone. Wheel zooms around
// the cursor, dragging pans, a click seeks, dragging on the ruler scrubs.
import { useEffect, useRef, useState } from "react";
import { type MessageKey, t } from "../i18n";
import { site } from "../site";
import { pan, type Selection, ticks, timeToX, type View, xToTime, ZOOM_STEP, zoomAt } from "./geometry";

export type GapReason = "offline" | "purged" | "not_in_service" | "not_recorded" | "recording";
export const GAP_REASONS: readonly GapReason[] = ["offline", "purged", "not_in_service", "not_recorded", "recording"];

export interface Span {
  from: number;
  to: number;
}
export interface Bucket extends Span {
  coverage: number;
}
export interface TrackData {
  id: number;
  code: string;
  name: string;
  ranges: Span[];
  gaps: (Span & { reason: GapReason })[];
  /** At coarse zoom: the day or hour summaries, drawn as recorded shares. */
  buckets?: Bucket[];
}

const DRAG_PX = 4;

export function Timeline({
  view,
  onView,
  tracks,
  playhead,
  onSeek,
  marked,
  lone = null,
  onMark,
}: {
  view: View;
  onView: (v: View) => void;
  tracks: TrackData[];
  playhead: number | null;
  onSeek: (t: number) => void;
  marked: Selection | null;
  /** A mark in (or out) without its other end yet. */
  lone?: number | null;
  /** Shift + drag marks a period. */
  onMark?: (from: number, to: number) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(1000);
  const drag = useRef<{ x: number; view: View; moved: boolean; scrub: boolean; mark: number | null } | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(200, el.getBoundingClientRect().width));
    measure();
    const ro = typeof ResizeObserver === "function" ? new ResizeObserver(measure) : null;
    ro?.observe(el);
    return () => ro?.disconnect();
  }, []);

  // Wheel zoom around the cursor (a non-passive listener, to keep the page from scrolling).
  const viewRef = useRef(view);
  viewRef.current = view;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      const x = e.clientX - el.getBoundingClientRect().left;
      const anchor = xToTime(viewRef.current, el.getBoundingClientRect().width, x);
      onView(zoomAt(viewRef.current, e.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP, anchor));
    };
    el.addEventListener("wheel", wheel, { passive: false });
    return () => el.removeEventListener("wheel", wheel);
  }, [onView]);

  const xOf = (e: React.PointerEvent) => e.clientX - (ref.current?.getBoundingClientRect().left ?? 0);

  function down(e: React.PointerEvent, scrub: boolean) {
    if (e.button !== 0) return;
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
    const mark = !scrub && e.shiftKey && onMark ? xToTime(view, width, xOf(e)) : null;
    drag.current = { x: e.clientX, view, moved: false, scrub, mark };
    if (scrub) onSeek(xToTime(view, width, xOf(e)));
  }
  function move(e: React.PointerEvent) {
    const d = drag.current;
    if (!d) return;
    if (Math.abs(e.clientX - d.x) > DRAG_PX) d.moved = true;
    if (d.scrub) onSeek(xToTime(view, width, xOf(e)));
    else if (d.mark !== null) {
      if (d.moved) onMark?.(d.mark, xToTime(view, width, xOf(e)));
    } else if (d.moved) onView(pan(d.view, e.clientX - d.x, width));
  }
  function up(e: React.PointerEvent) {
    const d = drag.current;
    drag.current = null;
    if (d && !d.scrub && !d.moved) onSeek(xToTime(view, width, xOf(e)));
    else if (d && d.mark !== null && d.moved) onMark?.(d.mark, xToTime(view, width, xOf(e)));
  }

  const clip = (s: Span) => {
    const a = Math.max(0, timeToX(view, width, s.from));
    const b = Math.min(width, timeToX(view, width, s.to));
    return b > a ? { left: a, width: Math.max(1, b - a) } : null;
  };
  const px = (n: number) => `${n}px`;
  const marks = ticks(view, width, site.timezone);
  const head = playhead !== null ? timeToX(view, width, playhead) : null;
  const sel = marked ? clip(marked) : null;
  const loneX = lone !== null && !marked ? timeToX(view, width, lone) : null;

  return (
    <div className="tl" aria-label={t("playback.timeline")} role="group">
      <div className="tl-labels">
        <div className="tl-ruler-label" />
        {tracks.map((tr) => (
          <div key={tr.id} className="tl-track-label" title={tr.name}>
            <span className="tl-code">{tr.code}</span>
            <span className="tl-name">{tr.name}</span>
          </div>
        ))}
      </div>
      <div className="tl-body" ref={ref} data-testid="timeline">
        <div
          className="tl-ruler"
          onPointerDown={(e) => down(e, true)}
          onPointerMove={move}
          onPointerUp={up}
          data-testid="timeline-ruler"
        >
          {marks.map((m) => (
            <div key={m.t} className={`tl-tick ${m.major ? "tl-tick-major" : ""}`} style={{ left: px(m.x) }}>
              <span>{m.label}</span>
            </div>
          ))}
        </div>
        <div className="tl-tracks" onPointerDown={(e) => down(e, false)} onPointerMove={move} onPointerUp={up}>
          {marks.map((m) => (
            <div key={m.t} className={`tl-grid ${m.major ? "tl-grid-major" : ""}`} style={{ left: px(m.x) }} />
          ))}
          {tracks.map((tr) => (
            <div key={tr.id} className="tl-track" data-testid={`track-${tr.code}`}>
              {tr.buckets
                ? tr.buckets.map((b) => {
                    const c = clip(b);
                    if (!c) return null;
                    return (
                      <div
                        key={`b${b.from}`}
                        className="tl-bucket"
                        style={{ left: px(c.left), width: px(c.width) }}
                        title={`${Math.round(b.coverage * 100)} %`}
                      >
                        <div className="tl-bucket-fill" style={{ height: `${Math.round(b.coverage * 100)}%` }} />
                      </div>
                    );
                  })
                : (
                  <>
                    {tr.gaps.map((g) => {
                      const c = clip(g);
                      if (!c) return null;
                      return (
                        <div
                          key={`g${g.from}`}
                          className={`tl-gap tl-gap-${g.reason}`}
                          style={{ left: px(c.left), width: px(c.width) }}
                          title={t(`playback.legend.${g.reason}` as MessageKey)}
                        />
                      );
                    })}
                    {tr.ranges.map((r) => {
                      const c = clip(r);
                      if (!c) return null;
                      return <div key={`r${r.from}`} className="tl-range" style={{ left: px(c.left), width: px(c.width) }} />;
                    })}
                  </>
                )}
            </div>
          ))}
          {loneX !== null && loneX >= 0 && loneX <= width && <div className="tl-mark" data-testid="timeline-mark" style={{ left: px(loneX) }} />}
          {sel && <div className="tl-selection" data-testid="timeline-selection" style={{ left: px(sel.left), width: px(sel.width) }} />}
        </div>
        {head !== null && head >= 0 && head <= width && (
          <div className="tl-playhead" data-testid="playhead" style={{ left: px(head) }} />
        )}
      </div>
    </div>
  );
}

export function Legend() {
  return (
    <ul className="tl-legend" aria-label={t("playback.legend")}>
      <li>
        <span className="tl-swatch tl-range" /> {t("playback.legend.recorded")}
      </li>
      {GAP_REASONS.map((r) => (
        <li key={r}>
          <span className={`tl-swatch tl-gap-${r}`} /> {t(`playback.legend.${r}` as MessageKey)}
        </li>
      ))}
    </ul>
  );
}
