// The review screen's pure parts: what the agent decided for each track (and how a box is drawn
// for it), the boxes of one frame, frame and time labels, the plan sent to the API and read back
// from it, manual regions drawn by dragging, and the keyboard map. No React, no I/O.
import type { Schemas } from "../api/client";

export type Track = Schemas["TrackOut"];
export type Analysis = Schemas["AnalysisOut"];
export type Disclosure = Schemas["DisclosureOut"];
export type PlanInput = Schemas["PlanInput"];
export type Effect = "blur" | "pixelate";
/** What the agent decided for a track: hidden (the default), kept visible, dismissed. */
export type Decision = "hide" | "keep" | "dismiss";
export type Rect = [number, number, number, number]; // x, y, w, h normalised

export interface Region {
  id: string;
  first_frame: number;
  last_frame: number;
  box: Rect;
}

export interface ReviewState {
  effect: Effect;
  decisions: Record<number, Decision>; // tracks the agent decided; the others are hidden
  manual: Region[];
}

export const EMPTY_STATE: ReviewState = { effect: "blur", decisions: {}, manual: [] };

/** The statuses in which a job runs or waits for the runner (the screen polls). */
export const WORKING = new Set(["queued", "analysing", "render_queued", "rendering"]);
export const FINISHED = new Set(["done", "failed", "cancelled"]);

/** A track's decision as the render applies it: a face whose person is kept is kept. */
export function effectiveDecision(track: Track, state: ReviewState): Decision {
  const own = state.decisions[track.id];
  if (own) return own;
  if (track.parent !== null && state.decisions[track.parent] === "keep") return "keep";
  return "hide";
}

export interface BoxStyle {
  className: string;
  stroke: string;
  dash: string | undefined;
}

export const COLOURS = { hide: "#ef5b5b", keep: "#3fb97a", dismiss: "#8b98a8", manual: "#e0a63a" } as const;

/** How a box is drawn: colour by decision; dismissed dashed, interpolated dotted. */
export function boxStyle(kind: Decision | "manual", detected = true): BoxStyle {
  const dash = !detected ? "2 3" : kind === "dismiss" ? "7 4" : undefined;
  const className = `dr-box dr-box-${kind}${detected ? "" : " dr-box-interpolated"}`;
  return { className, stroke: COLOURS[kind], dash };
}

export interface FrameBox {
  track: Track;
  box: Rect;
  detected: boolean;
}

/** The track's box in `frame` (boxes are sorted by frame: binary search), or null. */
export function boxAt(track: Track, frame: number): { box: Rect; detected: boolean } | null {
  const boxes = track.boxes;
  let lo = 0;
  let hi = boxes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (boxes[mid]![0]! < frame) lo = mid + 1;
    else hi = mid;
  }
  const b = boxes[lo];
  if (!b || b[0] !== frame) return null;
  return { box: [b[1]!, b[2]!, b[3]!, b[4]!], detected: b[5] !== 0 };
}

/** Every track's box in `frame`, people first (faces are drawn over them). */
export function boxesAt(tracks: readonly Track[], frame: number): FrameBox[] {
  const out: FrameBox[] = [];
  for (const track of tracks) {
    const at = boxAt(track, frame);
    if (at) out.push({ track, ...at });
  }
  return out.sort((a, b) => Number(a.track.kind === "face") - Number(b.track.kind === "face"));
}

export function regionsAt(regions: readonly Region[], frame: number): Region[] {
  return regions.filter((r) => r.first_frame <= frame && frame <= r.last_frame);
}

/** The boxes the render hides in `frame`: hidden tracks and manual regions (for the preview). */
export function hiddenAt(tracks: readonly Track[], state: ReviewState, frame: number): Rect[] {
  const hidden = boxesAt(tracks, frame)
    .filter((b) => effectiveDecision(b.track, state) === "hide")
    .map((b) => b.box);
  return [...hidden, ...regionsAt(state.manual, frame).map((r) => r.box)];
}

/** A frame's time in the clip: "m:ss.d" (tenths), from the clip's rate. */
export function frameTime(frame: number, fps: number): string {
  const tenths = fps > 0 ? Math.floor((frame / fps) * 10 + 1e-6) : 0;
  const minutes = Math.floor(tenths / 600);
  const seconds = Math.floor((tenths % 600) / 10);
  return `${minutes}:${String(seconds).padStart(2, "0")}.${tenths % 10}`;
}

export function clampFrame(frame: number, frames: number): number {
  return Math.max(0, Math.min(Math.max(frames - 1, 0), Math.round(frame)));
}

const round5 = (v: number) => Math.round(v * 1e5) / 1e5;

/** The rectangle dragged between two points, normalised and kept inside the picture. */
export function rectFromDrag(a: [number, number], b: [number, number]): Rect {
  const clamp = (v: number) => Math.max(0, Math.min(1, v));
  const x0 = clamp(Math.min(a[0], b[0]));
  const y0 = clamp(Math.min(a[1], b[1]));
  const x1 = clamp(Math.max(a[0], b[0]));
  const y1 = clamp(Math.max(a[1], b[1]));
  return [round5(x0), round5(y0), round5(x1 - x0), round5(y1 - y0)];
}

/** A new region over `frame` … `frame + length - 1` (within the clip), with a fresh id. */
export function newRegion(existing: readonly Region[], box: Rect, frame: number, length: number, frames: number): Region {
  const used = new Set(existing.map((r) => r.id));
  let n = existing.length + 1;
  while (used.has(`zone-${n}`)) n += 1;
  const last = clampFrame(frame + Math.max(1, Math.round(length)) - 1, frames);
  return { id: `zone-${n}`, first_frame: clampFrame(frame, frames), last_frame: last, box };
}

/** The API's plan from the screen's state: ids sorted, regions' frames in order. */
export function buildPlan(state: ReviewState, tracks: readonly Track[]): PlanInput {
  const known = new Set(tracks.map((t) => t.id));
  const ids = (decision: Decision) =>
    Object.entries(state.decisions)
      .filter(([id, d]) => d === decision && known.has(Number(id)))
      .map(([id]) => Number(id))
      .sort((a, b) => a - b);
  const manual = state.manual.map((r) => ({
    id: r.id,
    first_frame: Math.min(r.first_frame, r.last_frame),
    last_frame: Math.max(r.first_frame, r.last_frame),
    box: r.box.map(round5) as Rect,
  }));
  // An explicit "hide" only matters for a face linked to a kept person (a bystander's face
  // the tracker gave the subject): it is then hidden too. Other tracks are hidden anyway.
  const byId = new Map(tracks.map((t) => [t.id, t]));
  const hidden = ids("hide").filter((id) => {
    const parent = byId.get(id)?.parent;
    return parent !== null && parent !== undefined && state.decisions[parent] === "keep";
  });
  return { effect: state.effect, keep: ids("keep"), dismissed: ids("dismiss"), hidden, manual };
}

/** The screen's state from a saved plan (or the default: everything hidden, blur). */
export function stateFromPlan(plan: Record<string, unknown> | null | undefined): ReviewState {
  if (!plan) return EMPTY_STATE;
  const decisions: Record<number, Decision> = {};
  for (const id of (plan["keep"] as number[] | undefined) ?? []) decisions[id] = "keep";
  for (const id of (plan["dismissed"] as number[] | undefined) ?? []) decisions[id] = "dismiss";
  for (const id of (plan["hidden"] as number[] | undefined) ?? []) decisions[id] = "hide";
  const manual = ((plan["manual"] as Region[] | undefined) ?? []).map((r) => ({ ...r, box: [...r.box] as Rect }));
  return { effect: plan["effect"] === "pixelate" ? "pixelate" : "blur", decisions, manual };
}

/** Same decisions, whatever the order they were made in (the dirty-state indicator). */
export function samePlan(a: PlanInput, b: PlanInput): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function setDecision(state: ReviewState, trackId: number, decision: Decision): ReviewState {
  return { ...state, decisions: { ...state.decisions, [trackId]: decision } };
}

export function counts(tracks: readonly Track[], state: ReviewState) {
  const by = { hide: 0, keep: 0, dismiss: 0 };
  for (const track of tracks) by[effectiveDecision(track, state)] += 1;
  return { hidden: by.hide, kept: by.keep, dismissed: by.dismiss, regions: state.manual.length };
}

export type KeyAction =
  | { kind: "step"; by: number }
  | { kind: "first" }
  | { kind: "last" }
  | { kind: "play" }
  | { kind: "preview" }
  | { kind: "draw" }
  | { kind: "decide"; decision: Decision }
  | { kind: "save" };

/** The review screen's keys (none with Alt; Ctrl/Cmd only for S). */
export function keyAction(e: { key: string; shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): KeyAction | null {
  if (e.altKey) return null;
  if (e.ctrlKey || e.metaKey) return e.key.toLowerCase() === "s" ? { kind: "save" } : null;
  switch (e.key) {
    case "ArrowRight":
      return { kind: "step", by: e.shiftKey ? 10 : 1 };
    case "ArrowLeft":
      return { kind: "step", by: e.shiftKey ? -10 : -1 };
    case "Home":
      return { kind: "first" };
    case "End":
      return { kind: "last" };
    case " ":
      return { kind: "play" };
  }
  switch (e.key.toLowerCase()) {
    case "p":
      return { kind: "preview" };
    case "r":
      return { kind: "draw" };
    case "k":
      return { kind: "decide", decision: "keep" };
    case "m":
      return { kind: "decide", decision: "hide" };
    case "d":
      return { kind: "decide", decision: "dismiss" };
  }
  return null;
}
