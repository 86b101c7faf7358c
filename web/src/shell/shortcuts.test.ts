import { describe, expect, it } from "vitest";
import { SEQUENCE_TIMEOUT_MS, ShortcutMatcher } from "./shortcuts";

function matcher() {
  let time = 0;
  const m = new ShortcutMatcher(
    [
      { keys: ["?"], action: "help" },
      { keys: ["g", "m"], action: "wall" },
      { keys: ["g", "r"], action: "playback" },
    ],
    () => time,
  );
  return { m, advance: (ms: number) => (time += ms) };
}

describe("shortcuts", () => {
  it("matches single keys and two-key sequences", () => {
    const { m } = matcher();
    expect(m.feed("?")).toBe("help");
    expect(m.feed("g")).toBeNull();
    expect(m.feed("m")).toBe("wall");
    expect(m.feed("g")).toBeNull();
    expect(m.feed("r")).toBe("playback");
  });

  it("ignores unbound keys and restarts after a wrong second key", () => {
    const { m } = matcher();
    expect(m.feed("x")).toBeNull();
    expect(m.feed("g")).toBeNull();
    expect(m.feed("x")).toBeNull();
    expect(m.feed("m")).toBeNull();
    expect(m.feed("g")).toBeNull();
    expect(m.feed("?")).toBe("help");
  });

  it("forgets a pending key after the timeout", () => {
    const { m, advance } = matcher();
    expect(m.feed("g")).toBeNull();
    advance(SEQUENCE_TIMEOUT_MS + 1);
    expect(m.feed("m")).toBeNull();
  });
});
