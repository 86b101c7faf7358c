import { describe, expect, it } from "vitest";
import { visibleScreens } from "./nav";

// The permissions of each role, as in src/sentinelle/access/models.py.
const ROLES: Record<string, string[]> = {
  supervisor: ["registry.read", "users.read", "audit.read", "system.health", "video.live", "video.playback", "video.export", "ptz.control", "holds.write", "register.read"],
  auditor: ["registry.read", "users.read", "audit.read", "audit.export", "audit.verify", "register.read"],
  technician: ["registry.read", "camera.status", "system.health"],
  administrator: ["registry.read", "registry.write", "camera.status", "users.read", "users.write", "habilitations.write", "audit.read", "audit.verify", "system.health"],
  operator: ["registry.read", "system.health", "video.live", "video.playback", "ptz.control"],
};

const ids = (role: string, video = true) =>
  visibleScreens({ permissions: ROLES[role] ?? [], video_access: video }).map((s) => s.id);

describe("role-aware navigation", () => {
  it("gives each role its screens", () => {
    expect(ids("supervisor")).toEqual(["wall", "map", "playback", "exports", "admin", "journal"]);
    expect(ids("auditor")).toEqual(["admin", "journal"]);
    expect(ids("technician")).toEqual(["map", "admin"]);
    expect(ids("administrator")).toEqual(["map", "admin", "journal"]);
    expect(ids("operator")).toEqual(["wall", "map", "playback"]);
  });

  it("hides video screens without a valid habilitation", () => {
    expect(ids("supervisor", false)).toEqual(["map", "admin", "journal"]);
  });
});
