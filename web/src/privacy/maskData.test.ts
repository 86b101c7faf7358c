import { describe, expect, it } from "vitest";
import { intervalOf } from "./maskData";

describe("intervalOf", () => {
  it("finds the version interval holding an instant", () => {
    expect(intervalOf([], 5)).toEqual([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
    expect(intervalOf([10, 20], 5)).toEqual([Number.NEGATIVE_INFINITY, 10]);
    expect(intervalOf([10, 20], 10)).toEqual([10, 20]);
    expect(intervalOf([10, 20], 25)).toEqual([20, Number.POSITIVE_INFINITY]);
  });
});
