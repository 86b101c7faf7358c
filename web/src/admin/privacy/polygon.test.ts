import { describe, expect, it } from "vitest";
import {
  clampPoint,
  coverage,
  type DraftPolygon,
  firstProblem,
  freeName,
  inside,
  pixelBlock,
  type Point,
  shapeProblem,
  translate,
} from "./polygon";

const square: Point[] = [
  [0.1, 0.1],
  [0.3, 0.1],
  [0.3, 0.3],
  [0.1, 0.3],
];
const poly = (name: string, points: Point[] = square): DraftPolygon => ({ name, points, fill: "opaque", ptz_preset: null });

describe("shapeProblem mirrors the server's order and codes", () => {
  it("accepts a simple ring, with a repeated closing point", () => {
    expect(shapeProblem(square)).toBeNull();
    expect(shapeProblem([...square, [0.1, 0.1]])).toBeNull();
  });
  it("refuses an empty, too long, outside, too short or flat ring", () => {
    expect(shapeProblem([])).toBe("mask_polygon_empty");
    expect(shapeProblem(Array.from({ length: 65 }, (_, k) => [k / 100, (k % 2) / 10] as Point))).toBe("mask_too_many_points");
    expect(shapeProblem([[0.1, 0.1], [1.2, 0.1], [0.5, 0.5]])).toBe("mask_outside_image");
    expect(shapeProblem([[0.1, 0.1], [0.2, 0.2], [0.2, 0.2]])).toBe("mask_polygon_too_few_points");
    expect(shapeProblem([[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]])).toBe("mask_polygon_zero_area");
  });
  it("refuses a bow tie, a ring touching itself and a side folding back", () => {
    expect(shapeProblem([[0.1, 0.1], [0.3, 0.3], [0.3, 0.1], [0.1, 0.3]])).toBe("mask_self_intersecting");
    // the fifth point lies on the first side: not neighbours, touching
    expect(shapeProblem([[0.1, 0.1], [0.5, 0.1], [0.5, 0.5], [0.3, 0.5], [0.3, 0.1]])).toBe("mask_self_intersecting");
    expect(shapeProblem([[0.1, 0.1], [0.5, 0.1], [0.3, 0.1], [0.3, 0.4]])).toBe("mask_self_intersecting");
  });
});

describe("firstProblem of a set", () => {
  it("names the polygon at fault", () => {
    expect(firstProblem([poly("a"), poly("b", [[0.5, 0.5], [0.7, 0.7], [0.7, 0.5], [0.5, 0.7]])])).toEqual({
      code: "mask_self_intersecting",
      polygon: 1,
    });
  });
  it("wants a unique name (case ignored) and a name at all", () => {
    expect(firstProblem([poly("Fenêtres"), poly("FENÊTRES")])).toEqual({ code: "mask_name_duplicate", polygon: 1 });
    expect(firstProblem([poly("  ")])).toEqual({ code: "mask_name_required", polygon: 0 });
  });
  it("refuses a set that hides almost the whole picture, accepts an empty one", () => {
    expect(firstProblem([poly("tout", [[0, 0], [1, 0], [1, 1], [0, 1]])])).toEqual({ code: "mask_covers_image", polygon: null });
    expect(firstProblem([])).toBeNull();
    expect(firstProblem(Array.from({ length: 33 }, (_, k) => poly(`z${k}`)))).toEqual({ code: "mask_too_many_polygons", polygon: null });
  });
});

describe("editing helpers", () => {
  it("measures coverage and insideness", () => {
    expect(coverage([square], 100)).toBeCloseTo(0.04, 3);
    expect(inside(square, 0.2, 0.2)).toBe(true);
    expect(inside(square, 0.5, 0.2)).toBe(false);
  });
  it("keeps points and moved rings inside the picture, shape intact", () => {
    expect(clampPoint([-0.2, 1.4])).toEqual([0, 1]);
    const moved = translate(square, 0.9, -0.5);
    expect(moved).toEqual([
      [0.8, 0],
      [1, 0],
      [1, 0.2],
      [0.8, 0.2],
    ]);
  });
  it("gives the burn-in's block size and free names", () => {
    expect(pixelBlock(1920)).toBe(48);
    expect(pixelBlock(704)).toBe(18);
    expect(freeName([poly("Zone 1")], "Zone")).toBe("Zone 2");
    expect(freeName([poly("Zone 2")], "Zone")).toBe("Zone 3");
  });
});
