import { describe, expect, it } from "vitest";
import { exportBody, validateExport } from "./exportForm";
import { HOUR, MINUTE } from "./geometry";

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const ok = { from: T0, to: T0 + MINUTE, reason: "Réquisition judiciaire", requisition: "PV 2026/004512", officer: "OPJ Martin" };

describe("export dialog validation", () => {
  it("accepts a complete request", () => {
    expect(validateExport(ok)).toEqual({});
  });
  it("requires a reason", () => {
    expect(validateExport({ ...ok, reason: "   " }).reason?.key).toBe("playback.exportReasonRequired");
  });
  it("refuses an empty or over-long period", () => {
    expect(validateExport({ ...ok, to: T0 }).period?.key).toBe("playback.exportEmpty");
    expect(validateExport({ ...ok, to: T0 + 25 * HOUR }).period?.key).toBe("playback.exportTooLong");
  });
  it("limits the requisition and officer as the API does", () => {
    expect(validateExport({ ...ok, requisition: "x".repeat(101) }).requisition?.max).toBe(100);
    expect(validateExport({ ...ok, officer: "x".repeat(201) }).officer?.max).toBe(200);
  });
  it("sends trimmed fields and ISO instants", () => {
    expect(exportBody({ ...ok, reason: " motif " }, [3])).toEqual({
      camera_ids: [3],
      from: "2026-11-22T09:00:00.000Z",
      to: "2026-11-22T09:01:00.000Z",
      reason: "motif",
      requisition: "PV 2026/004512",
      officer: "OPJ Martin",
    });
  });
});
