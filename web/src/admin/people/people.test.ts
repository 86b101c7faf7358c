import { describe, expect, it } from "vitest";
import { countExpiring, daysBetween, habilitationState } from "./habilitation";
import { buildMatrix } from "./matrix";

const base = { designated_on: "2026-01-01", expires_on: "2026-12-31", sworn: true, revoked_at: null };

describe("habilitation state", () => {
  it("follows the server's validity rule", () => {
    expect(habilitationState(base, "2026-06-01")).toBe("valid");
    expect(habilitationState(base, "2025-12-31")).toBe("not_yet_valid");
    expect(habilitationState(base, "2027-01-01")).toBe("expired");
    expect(habilitationState({ ...base, sworn: false }, "2026-06-01")).toBe("not_sworn");
    expect(habilitationState({ ...base, revoked_at: "2026-03-01T10:00:00Z" }, "2026-06-01")).toBe("revoked");
  });

  it("warns within 30 days of the expiry, the expiry day included", () => {
    expect(habilitationState(base, "2026-12-01")).toBe("expiring");
    expect(habilitationState(base, "2026-11-30")).toBe("valid");
    expect(habilitationState(base, "2026-12-31")).toBe("expiring");
    expect(daysBetween("2026-12-01", "2026-12-31")).toBe(30);
    expect(daysBetween("2026-03-28", "2026-03-30")).toBe(2); // across the clocks change
  });

  it("counts only the valid ones that lapse soon", () => {
    const list = [
      base,
      { ...base, expires_on: "2026-06-10" },
      { ...base, expires_on: "2026-06-10", revoked_at: "2026-05-01T00:00:00Z" },
      { ...base, expires_on: "2026-05-01" },
    ];
    expect(countExpiring(list, "2026-06-01")).toBe(1);
  });
});

describe("permission matrix", () => {
  it("has a row per permission and a mark per granting role", () => {
    const m = buildMatrix({
      permissions: ["users.read", "video.live", "holds.write"],
      video_permissions: ["video.live"],
      roles: [
        { id: "administrator", permissions: ["users.read"] },
        { id: "supervisor", permissions: ["holds.write", "users.read", "video.live"] },
        { id: "technician", permissions: [] },
      ],
    });
    expect(m.roles).toEqual(["administrator", "supervisor", "technician"]);
    expect(m.rows).toEqual([
      { permission: "users.read", video: false, granted: [true, true, false] },
      { permission: "video.live", video: true, granted: [false, true, false] },
      { permission: "holds.write", video: false, granted: [false, true, false] },
    ]);
  });
});
