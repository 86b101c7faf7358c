import { describe, expect, it } from "vitest";
import { tabOfPath, visibleTabs } from "./tabs";

// The permissions of each role, as in src/sentinelle/access/models.py.
const ROLES: Record<string, string[]> = {
  administrator: ["registry.read", "registry.write", "camera.status", "users.read", "users.write", "habilitations.write", "audit.read", "audit.verify", "system.health"],
  supervisor: ["registry.read", "users.read", "audit.read", "system.health", "video.live", "video.playback", "video.export", "ptz.control", "holds.write", "register.read"],
  technician: ["registry.read", "camera.status", "system.health"],
  operator: ["registry.read", "system.health", "video.live", "video.playback", "ptz.control"],
};

const ids = (role: string) => visibleTabs(ROLES[role] ?? []).map((tab) => tab.id);

describe("administration tabs", () => {
  it("gives each role its tabs", () => {
    expect(ids("administrator")).toEqual(["authorisations", "zones", "cameras", "masks", "users", "roles", "habilitations"]);
    expect(ids("supervisor")).toEqual(["authorisations", "users", "roles", "habilitations", "holds", "register", "exportJournal"]);
    expect(ids("technician")).toEqual(["authorisations", "cameras"]);
    expect(ids("operator")).toEqual([]);
  });

  it("reads the tab from the path, the first visible one by default", () => {
    const tabs = visibleTabs(ROLES.administrator ?? []);
    expect(tabOfPath("/administration/cameras", tabs)?.id).toBe("cameras");
    expect(tabOfPath("/administration", tabs)?.id).toBe("authorisations");
    expect(tabOfPath("/administration/registre", tabs)?.id).toBe("authorisations");
  });
});
