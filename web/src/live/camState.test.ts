import { describe, expect, it } from "vitest";
import { listDot } from "./camState";

describe("the wall list's state dot", () => {
  it("uses the map's state and colour: awaiting authorisation is amber, not red", () => {
    expect(listDot({ status: "awaiting_authorisation", lawful: false }, "out_of_service")).toEqual({ tone: "warn", label: "map.state.awaiting" });
    expect(listDot({ status: "in_service", lawful: false }, "out_of_service")).toEqual({ tone: "warn", label: "map.state.awaiting" });
    expect(listDot({ status: "out_of_service", lawful: false }, "out_of_service")).toEqual({ tone: "muted", label: "map.state.out_of_service" });
  });

  it("says recording or fault for a lawful camera in service from its stream", () => {
    expect(listDot({ status: "in_service", lawful: true }, "recording")).toEqual({ tone: "ok", label: "map.state.recording" });
    expect(listDot({ status: "in_service", lawful: true }, "no_signal")).toEqual({ tone: "error", label: "map.state.fault" });
    expect(listDot({ status: "in_service", lawful: true }, null)).toEqual({ tone: "muted", label: "wall.state.unknown" });
  });

  it("falls back to the live state when the registry's is not known", () => {
    expect(listDot({}, "recording")).toEqual({ tone: "ok", label: "wall.state.recording" });
    expect(listDot({}, null)).toEqual({ tone: "muted", label: "wall.state.unknown" });
  });
});
