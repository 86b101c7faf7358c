import { describe, expect, it } from "vitest";
import { searchLines } from "./ExportJournalTab";
import { emptyHold, holdBody, validateHold } from "./holdForm";
import { exportHref, registerQuery } from "./RegisterTab";

const PARIS = "Europe/Paris";
const NOW = Date.parse("2026-12-02T15:00:00Z");
const TODAY = "2026-12-02";
const good = {
  ...emptyHold(),
  cameraIds: [2, 1],
  from: "2026-12-01T22:30",
  to: "2026-12-01T23:15",
  procedure: " PV 2026/004512 ",
  authority: "OPJ Martin",
  reason: "Vol à l'arraché",
};

describe("hold form", () => {
  it("accepts a complete draft and sends the period as instants of site time", () => {
    expect(validateHold(good, PARIS, NOW, TODAY)).toEqual({});
    expect(holdBody(good, PARIS)).toEqual({
      camera_ids: [1, 2],
      start: "2026-12-01T21:30:00.000Z",
      end: "2026-12-01T22:15:00.000Z",
      ground: "flagrant_offence",
      procedure_number: "PV 2026/004512",
      authority: "OPJ Martin",
      reason: "Vol à l'arraché",
      until: null,
    });
  });

  it("names each missing or wrong field", () => {
    const errors = validateHold({ ...emptyHold(), until: "2026-12-01" }, PARIS, NOW, TODAY);
    expect(Object.keys(errors).sort()).toEqual(["authority", "cameras", "period", "procedure", "reason", "until"]);
    expect(errors.reason?.key).toBe("adminPeople.required");
  });

  it("refuses a reversed period, footage not yet recorded and over-long fields", () => {
    expect(validateHold({ ...good, to: "2026-12-01T22:00" }, PARIS, NOW, TODAY).period?.key).toBe("adminPeople.holds.err.period");
    expect(validateHold({ ...good, from: "2026-12-03T10:00", to: "2026-12-03T11:00" }, PARIS, NOW, TODAY).period?.key).toBe(
      "adminPeople.holds.err.future",
    );
    expect(validateHold({ ...good, procedure: "x".repeat(101) }, PARIS, NOW, TODAY).procedure).toEqual({ key: "adminPeople.holds.err.tooLong", max: 100 });
    expect(validateHold({ ...good, until: TODAY }, PARIS, NOW, TODAY)).toEqual({});
  });
});

describe("register filters and export journal search", () => {
  it("sends the site days as instants, the last day included", () => {
    // The site zone is Europe/Paris when no meta tag names it.
    expect(registerQuery({ camera: "3", from: "2026-12-01", to: "2026-12-02" })).toEqual({
      camera_id: 3,
      from: "2026-11-30T23:00:00.000Z",
      to: "2026-12-02T23:00:00.000Z",
    });
    expect(registerQuery({ camera: "", from: "", to: "" })).toEqual({});
    expect(exportHref({ camera: "3", from: "2026-12-01", to: "" }, "csv")).toBe(
      "/api/destruction-register/export?format=csv&from=2026-11-30T23%3A00%3A00.000Z",
    );
  });

  it("finds lines by exporter, requisition, recipient or camera", () => {
    const line = {
      reference: "EXP-1",
      camera_id: 1,
      camera_code: "CAM-001",
      images_from: "2026-12-01T10:00:00Z",
      images_to: "2026-12-01T10:00:30Z",
      duration_seconds: 30,
      exported_at: "2026-12-01T11:00:00Z",
      exporter: "agent.dupont",
      requisition: "PV 2026/004519",
      officer: "OPJ Laurent",
      file_sha256: "ab",
    };
    expect(searchLines([line], "laurent")).toEqual([line]);
    expect(searchLines([line], " 004519 ")).toEqual([line]);
    expect(searchLines([line], "cam-002")).toEqual([]);
    expect(searchLines([line], "")).toEqual([line]);
  });
});
