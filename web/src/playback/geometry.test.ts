import { describe, expect, it } from "vitest";
import {
  fromLocalInput, HOUR, MAX_SPAN, MIN_SPAN, mediaTimeOf, MINUTE, nextSpeed, pan, resolution, selection,
  speedLabel, ticks, timeToX, toLocalInput, wallTimeOf, xToTime, zoomAt,
} from "./geometry";

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const view = { start: T0, end: T0 + HOUR };

describe("timeline geometry", () => {
  it("maps time to pixels and back", () => {
    expect(timeToX(view, 1200, T0 + 30 * MINUTE)).toBe(600);
    expect(xToTime(view, 1200, 300)).toBe(T0 + 15 * MINUTE);
    expect(xToTime(view, 1200, timeToX(view, 1200, T0 + 1234))).toBeCloseTo(T0 + 1234, 3);
  });

  it("zooms keeping the instant under the cursor at the same pixel", () => {
    const anchor = xToTime(view, 1000, 250);
    const zoomed = zoomAt(view, 2, anchor);
    expect(zoomed.end - zoomed.start).toBe(30 * MINUTE);
    expect(timeToX(zoomed, 1000, anchor)).toBeCloseTo(250, 6);
    const out = zoomAt(zoomed, 0.5, anchor);
    expect(timeToX(out, 1000, anchor)).toBeCloseTo(250, 6);
  });

  it("stops zooming at a few seconds and at a month", () => {
    expect(zoomAt(view, 1e6, T0).end - zoomAt(view, 1e6, T0).start).toBe(MIN_SPAN);
    expect(zoomAt(view, 1e-6, T0).end - zoomAt(view, 1e-6, T0).start).toBe(MAX_SPAN);
  });

  it("pans with the drag", () => {
    expect(pan(view, 100, 1200)).toEqual({ start: T0 - 5 * MINUTE, end: T0 + 55 * MINUTE });
  });

  it("orders the selection whichever end was marked first", () => {
    expect(selection(T0 + 10, T0)).toEqual({ from: T0, to: T0 + 10 });
    expect(selection(T0, T0 + 10)).toEqual({ from: T0, to: T0 + 10 });
    expect(selection(T0, null)).toBeNull();
    expect(selection(T0, T0)).toBeNull();
  });

  it("chooses summaries when coarse", () => {
    expect(resolution(view)).toBe("fine");
    expect(resolution({ start: T0, end: T0 + 24 * HOUR })).toBe("hour");
    expect(resolution({ start: T0, end: T0 + 30 * 24 * HOUR })).toBe("day");
  });

  it("labels ticks in the site's time zone", () => {
    const labels = ticks(view, 1200, "Europe/Paris").map((t) => t.label);
    expect(labels[0]).toBe("10:00");
    const fine = ticks({ start: T0, end: T0 + 20_000 }, 1200, "Europe/Paris");
    expect(fine[1]?.label).toMatch(/^10:00:\d\d$/);
  });

  it("reads and writes the site's wall clock", () => {
    expect(fromLocalInput("2026-11-22T10:00", "Europe/Paris")).toBe(T0);
    expect(fromLocalInput("2026-07-01T12:00:30", "Europe/Paris")).toBe(Date.UTC(2026, 6, 1, 10, 0, 30));
    expect(toLocalInput(T0, "Europe/Paris")).toBe("2026-11-22T10:00:00");
    expect(fromLocalInput("demain", "Europe/Paris")).toBeNull();
  });

  it("maps wall instants to media time across gaps", () => {
    const frags = [
      { start: 0, duration: 6, pdt: T0 },
      { start: 6, duration: 6, pdt: T0 + 6000 },
      { start: 12, duration: 6, pdt: T0 + 60_000 },
    ];
    expect(mediaTimeOf(frags, T0 + 7500)).toEqual({ media: 7.5, inGap: false });
    expect(mediaTimeOf(frags, T0 + 30_000)).toEqual({ media: 12, inGap: true });
    expect(mediaTimeOf(frags, T0 + 120_000)).toBeNull();
    expect(wallTimeOf(frags, 13)).toBe(T0 + 61_000);
  });

  it("steps speeds from ×1/8 to ×32", () => {
    expect(nextSpeed(1, 1)).toBe(2);
    expect(nextSpeed(0.125, -1)).toBe(0.125);
    expect(nextSpeed(32, 1)).toBe(32);
    expect(speedLabel(0.125)).toBe("×1/8");
    expect(speedLabel(16)).toBe("×16");
  });
});
