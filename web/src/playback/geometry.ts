// The playback timeline's pure state: the visible window (ms since the epoch), time ↔ pixel,
// zoom around a point, pan, the mark in/out selection, time ticks in the site's time zone, and
// the mapping between wall-clock instants and the HLS media time (EXT-X-PROGRAM-DATE-TIME).

export interface View {
  start: number;
  end: number;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** From a month down to a few seconds. */
export const MIN_SPAN = 10 * SECOND;
export const MAX_SPAN = 31 * DAY;
export const ZOOM_STEP = 1.5;

export const span = (v: View): number => v.end - v.start;

export function timeToX(v: View, width: number, t: number): number {
  return ((t - v.start) / span(v)) * width;
}

export function xToTime(v: View, width: number, x: number): number {
  return v.start + (x / width) * span(v);
}

/** A view of `target` span, kept between MIN_SPAN and MAX_SPAN. */
function clampSpan(target: number): number {
  return Math.min(MAX_SPAN, Math.max(MIN_SPAN, target));
}

/** Zoom by `factor` (>1: zoom in) keeping the instant `anchor` at the same pixel. */
export function zoomAt(v: View, factor: number, anchor: number): View {
  const next = clampSpan(span(v) / factor);
  const ratio = (anchor - v.start) / span(v);
  const start = anchor - ratio * next;
  return { start, end: start + next };
}

/** Move the window by `dx` pixels of drag (drag right: earlier instants come in). */
export function pan(v: View, dx: number, width: number): View {
  const dt = (dx / width) * span(v);
  return { start: v.start - dt, end: v.end - dt };
}

/** A window of `width` ms centred on `t`. */
export function centredOn(t: number, width: number): View {
  const s = clampSpan(width);
  return { start: t - s / 2, end: t + s / 2 };
}

/** Keep `t` visible: recentre when it leaves the window. */
export function follow(v: View, t: number): View {
  if (t >= v.start && t <= v.end) return v;
  return centredOn(t, span(v));
}

export interface Selection {
  from: number;
  to: number;
}

/** The mark in/out selection, in time order whichever was marked first. */
export function selection(markIn: number | null, markOut: number | null): Selection | null {
  if (markIn === null || markOut === null || markIn === markOut) return null;
  return { from: Math.min(markIn, markOut), to: Math.max(markIn, markOut) };
}

/** Which data to draw at this zoom: the day or hour summaries when coarse, the timeline when fine. */
export function resolution(v: View): "day" | "hour" | "fine" {
  const s = span(v);
  if (s > 4 * DAY) return "day";
  if (s > 12 * HOUR) return "hour";
  return "fine";
}

// ---- site time zone ----

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at instant `t`, in ms (Paris in winter: +3 600 000). */
export function tzOffset(t: number, timeZone: string): number {
  let fmt = offsetFormats.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    offsetFormats.set(timeZone, fmt);
  }
  const parts: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(t))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const n = (k: string) => parts[k] ?? 0;
  const asUtc = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** The instant of a wall-clock reading "YYYY-MM-DDTHH:mm[:ss]" in the zone (a datetime-local value). */
export function fromLocalInput(value: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const g = (i: number) => Number(m[i] ?? 0);
  const wall = Date.UTC(g(1), g(2) - 1, g(3), g(4), g(5), g(6));
  let t = wall - tzOffset(wall, timeZone);
  t = wall - tzOffset(t, timeZone); // settle near a change of offset
  return t;
}

/** The zone's wall-clock reading of `t` as a datetime-local value (seconds included). */
export function toLocalInput(t: number, timeZone: string): string {
  const d = new Date(t + tzOffset(t, timeZone));
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

const STEPS = [
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY,
];

export interface Tick {
  t: number;
  x: number;
  label: string;
  /** A day boundary (drawn stronger, labelled with the date). */
  major: boolean;
}

/** Labelled ticks at least `minPx` apart, aligned on the zone's wall clock. */
export function ticks(v: View, width: number, timeZone: string, minPx = 90): Tick[] {
  const perPx = span(v) / width;
  const step = STEPS.find((s) => s / perPx >= minPx) ?? 7 * DAY;
  const off = tzOffset(v.start, timeZone);
  const first = Math.ceil((v.start + off) / step) * step - off;
  const out: Tick[] = [];
  for (let t = first; t <= v.end && out.length < 500; t += step) {
    const local = new Date(t + tzOffset(t, timeZone));
    const p = (n: number) => String(n).padStart(2, "0");
    const midnight = local.getUTCHours() === 0 && local.getUTCMinutes() === 0 && local.getUTCSeconds() === 0;
    const date = `${p(local.getUTCDate())}/${p(local.getUTCMonth() + 1)}`;
    const hm = `${p(local.getUTCHours())}:${p(local.getUTCMinutes())}`;
    const label = step >= DAY || midnight ? date : step < MINUTE ? `${hm}:${p(local.getUTCSeconds())}` : hm;
    out.push({ t, x: timeToX(v, width, t), label, major: midnight });
  }
  return out;
}

// ---- HLS media time ↔ wall clock ----

/** A playlist fragment: its media start and duration (s) and its program date time (ms). */
export interface Frag {
  start: number;
  duration: number;
  pdt: number;
}

/** The media time showing wall instant `t`; inside a gap, the start of the next footage. */
export function mediaTimeOf(frags: readonly Frag[], t: number): { media: number; inGap: boolean } | null {
  for (const f of frags) {
    const end = f.pdt + f.duration * 1000;
    if (t < f.pdt) return { media: f.start, inGap: true };
    if (t < end) return { media: f.start + (t - f.pdt) / 1000, inGap: false };
  }
  return null;
}

/** The wall instant shown at media time `media`. */
export function wallTimeOf(frags: readonly Frag[], media: number): number | null {
  if (frags.length === 0) return null;
  for (const f of frags) {
    if (media < f.start + f.duration) return f.pdt + Math.max(0, media - f.start) * 1000;
  }
  const last = frags[frags.length - 1];
  if (!last) return null;
  return last.pdt + last.duration * 1000;
}

export const SPEEDS = [0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32] as const;

export function nextSpeed(current: number, direction: 1 | -1): number {
  const i = SPEEDS.findIndex((s) => s >= current);
  const at = i < 0 ? SPEEDS.length - 1 : i;
  return SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, at + direction))] ?? current;
}

export function speedLabel(s: number): string {
  return s < 1 ? `×1/${Math.round(1 / s)}` : `×${s}`;
}
