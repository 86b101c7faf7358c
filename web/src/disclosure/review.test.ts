import { describe, expect, it } from "vitest";
import {
  boxAt,
  boxesAt,
  boxStyle,
  buildPlan,
  COLOURS,
  counts,
  effectiveDecision,
  EMPTY_STATE,
  frameTime,
  hiddenAt,
  keyAction,
  newRegion,
  rectFromDrag,
  type ReviewState,
  samePlan,
  setDecision,
  stateFromPlan,
  type Track,
} from "./review";

const person: Track = {
  id: 3,
  kind: "person",
  parent: null,
  score: 1.2,
  first_frame: 2,
  last_frame: 5,
  boxes: [
    [2, 0.1, 0.2, 0.1, 0.4, 1],
    [3, 0.11, 0.2, 0.1, 0.4, 0],
    [5, 0.13, 0.2, 0.1, 0.4, 1],
  ],
};
const face: Track = { id: 5, kind: "face", parent: 3, score: 0.8, first_frame: 3, last_frame: 3, boxes: [[3, 0.13, 0.21, 0.03, 0.05, 1]] };
const other: Track = { id: 7, kind: "person", parent: null, score: 0.9, first_frame: 0, last_frame: 9, boxes: [[3, 0.6, 0.2, 0.1, 0.4, 1]] };
const tracks = [face, person, other];

describe("decisions and box colours", () => {
  it("hides every track unless decided, and keeps a face with its kept person", () => {
    expect(effectiveDecision(person, EMPTY_STATE)).toBe("hide");
    const kept = setDecision(EMPTY_STATE, 3, "keep");
    expect(effectiveDecision(person, kept)).toBe("keep");
    expect(effectiveDecision(face, kept)).toBe("keep");
    expect(effectiveDecision(other, kept)).toBe("hide");
    expect(effectiveDecision(face, setDecision(kept, 5, "dismiss"))).toBe("dismiss");
    expect(effectiveDecision(face, setDecision(kept, 3, "hide"))).toBe("hide");
    const faceHidden = setDecision(kept, face.id, "hide"); // a bystander's face given to 3
    expect(effectiveDecision(face, faceHidden)).toBe("hide");
    expect(effectiveDecision(person, faceHidden)).toBe("keep");
    expect(buildPlan(faceHidden, [person, face, other]).hidden).toEqual([face.id]);
  });

  it("colours hidden red, kept green, dismissed grey dashed, manual amber, interpolated dotted", () => {
    expect(boxStyle("hide")).toEqual({ className: "dr-box dr-box-hide", stroke: COLOURS.hide, dash: undefined });
    expect(boxStyle("keep").stroke).toBe("#3fb97a");
    expect(boxStyle("dismiss")).toMatchObject({ stroke: "#8b98a8", dash: "7 4" });
    expect(boxStyle("manual").stroke).toBe("#e0a63a");
    expect(boxStyle("hide", false)).toMatchObject({ dash: "2 3", className: "dr-box dr-box-hide dr-box-interpolated" });
  });
});

describe("boxes of a frame", () => {
  it("finds a track's box by frame, with its detected flag", () => {
    expect(boxAt(person, 2)).toEqual({ box: [0.1, 0.2, 0.1, 0.4], detected: true });
    expect(boxAt(person, 3)?.detected).toBe(false);
    expect(boxAt(person, 4)).toBeNull();
    expect(boxAt(person, 9)).toBeNull();
  });

  it("lists people before faces so that faces are drawn on top", () => {
    expect(boxesAt(tracks, 3).map((b) => b.track.id)).toEqual([3, 7, 5]);
    expect(boxesAt(tracks, 0)).toEqual([]);
  });

  it("hides in the preview what the render hides: hidden tracks and regions", () => {
    const state: ReviewState = {
      ...setDecision(EMPTY_STATE, 3, "keep"),
      manual: [{ id: "zone-1", first_frame: 3, last_frame: 4, box: [0.5, 0.5, 0.1, 0.1] }],
    };
    expect(hiddenAt(tracks, state, 3)).toEqual([
      [0.6, 0.2, 0.1, 0.4],
      [0.5, 0.5, 0.1, 0.1],
    ]);
    expect(hiddenAt(tracks, state, 5)).toEqual([]);
  });
});

describe("labels", () => {
  it("writes a frame's time in minutes, seconds and tenths", () => {
    expect(frameTime(0, 10)).toBe("0:00.0");
    expect(frameTime(34, 10)).toBe("0:03.4");
    expect(frameTime(1501, 25)).toBe("1:00.0");
    expect(frameTime(3, 0)).toBe("0:00.0");
  });
});

describe("plan", () => {
  it("builds the API's plan from the screen's state and reads it back", () => {
    let state = setDecision(EMPTY_STATE, 7, "dismiss");
    state = setDecision(state, 3, "keep");
    state = setDecision(state, 99, "keep"); // not in the analysis: left out
    state = { ...state, effect: "pixelate", manual: [{ id: "zone-1", first_frame: 6, last_frame: 2, box: [0.1234567, 0.2, 0.3, 0.4] }] };
    const plan = buildPlan(state, tracks);
    expect(plan).toEqual({
      effect: "pixelate",
      keep: [3],
      dismissed: [7],
      hidden: [],
      manual: [{ id: "zone-1", first_frame: 2, last_frame: 6, box: [0.12346, 0.2, 0.3, 0.4] }],
    });
    const back = stateFromPlan(plan);
    expect(back.decisions).toEqual({ 3: "keep", 7: "dismiss" });
    expect(samePlan(buildPlan(back, tracks), plan)).toBe(true);
    expect(stateFromPlan(null)).toEqual(EMPTY_STATE);
  });

  it("tells a change from the saved plan", () => {
    const saved = buildPlan(EMPTY_STATE, tracks);
    expect(samePlan(buildPlan(setDecision(EMPTY_STATE, 3, "hide"), tracks), saved)).toBe(true);
    expect(samePlan(buildPlan(setDecision(EMPTY_STATE, 3, "keep"), tracks), saved)).toBe(false);
  });

  it("makes a region from a drag in any direction, inside the picture and the clip", () => {
    expect(rectFromDrag([0.5, 0.6], [0.2, 0.1])).toEqual([0.2, 0.1, 0.3, 0.5]);
    expect(rectFromDrag([-0.2, 0.9], [0.3, 1.4])).toEqual([0, 0.9, 0.3, 0.1]);
    const first = newRegion([], [0, 0, 0.1, 0.1], 55, 25, 60);
    expect(first).toEqual({ id: "zone-1", first_frame: 55, last_frame: 59, box: [0, 0, 0.1, 0.1] });
    expect(newRegion([first, { ...first, id: "zone-2" }], [0, 0, 1, 1], 0, 10, 60).id).toBe("zone-3");
    expect(counts(tracks, { ...EMPTY_STATE, manual: [first] })).toEqual({ hidden: 3, kept: 0, dismissed: 0, regions: 1 });
  });
});

describe("keyboard", () => {
  const key = (k: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
    keyAction({ key: k, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods });

  it("maps frames, play, preview, drawing, decisions and save", () => {
    expect(key("ArrowRight")).toEqual({ kind: "step", by: 1 });
    expect(key("ArrowLeft", { shiftKey: true })).toEqual({ kind: "step", by: -10 });
    expect(key("Home")).toEqual({ kind: "first" });
    expect(key("End")).toEqual({ kind: "last" });
    expect(key(" ")).toEqual({ kind: "play" });
    expect(key("P")).toEqual({ kind: "preview" });
    expect(key("r")).toEqual({ kind: "draw" });
    expect(key("k")).toEqual({ kind: "decide", decision: "keep" });
    expect(key("m")).toEqual({ kind: "decide", decision: "hide" });
    expect(key("d")).toEqual({ kind: "decide", decision: "dismiss" });
    expect(key("s", { ctrlKey: true })).toEqual({ kind: "save" });
    expect(key("s", { metaKey: true })).toEqual({ kind: "save" });
  });

  it("leaves other keys and browser shortcuts alone", () => {
    expect(key("s")).toBeNull();
    expect(key("r", { ctrlKey: true })).toBeNull();
    expect(key("k", { altKey: true })).toBeNull();
    expect(key("x")).toBeNull();
  });
});
