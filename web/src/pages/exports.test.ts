import { describe, expect, it } from "vitest";
import { downloadUrl, failureText, formatBytes, formatRange } from "./ExportsPage";

describe("exports formatting", () => {
  it("writes a period in the site's time, its date once on the same day", () => {
    expect(formatRange("2026-11-22T07:00:00Z", "2026-11-22T08:00:00Z")).toBe("22/11/2026 08:00:00 → 09:00:00");
    expect(formatRange("2026-11-22T22:30:00Z", "2026-11-22T23:30:00Z")).toBe("22/11/2026 23:30:00 → 23/11/2026 00:30:00");
  });

  it("writes sizes in French units", () => {
    expect(formatBytes(0)).toBe("—");
    expect(formatBytes(734_003_200)).toBe("700 Mo");
  });
});

describe("exports download", () => {
  it("gives the API the reason it journals the download with", () => {
    expect(downloadUrl(7, "PV 2026/1 & remise OPJ")).toBe(
      "/api/exports/7/package.zip?reason=PV%202026%2F1%20%26%20remise%20OPJ",
    );
  });
});

describe("failureText", () => {
  it("says a known failure in French and keeps the server's words otherwise", () => {
    expect(failureText({ error_code: "no_footage", error_message: "camera X has no recorded footage" })).toMatch(/^Aucune image enregistrée/);
    expect(failureText({ error_code: "something_new", error_message: "it broke" })).toBe("it broke");
  });
});
