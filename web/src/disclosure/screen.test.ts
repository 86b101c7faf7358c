import { describe, expect, it } from "vitest";
import { describeError } from "../api/errors";
import { actionLabel } from "../pages/JournalPage";
import { screenOfPath } from "../shell/nav";
import { purposeLabel, statusLabel } from "./actions";
import { formatDuration, reviewPath } from "./RequestDialog";
import { disclosureIdOf } from "./ReviewPage";

const CODES = [
  "disclosure_file_unknown",
  "disclosure_too_long",
  "disclosure_plan_missing",
  "disclosure_plan_outdated",
  "disclosure_wrong_status",
  "disclosure_source_integrity",
  "disclosure_not_ready",
  "export_not_ready",
  "redaction_unknown_track",
  "redaction_keep_and_dismiss",
  "redaction_region_invalid",
  "redaction_region_duplicate",
  "redaction_too_many_regions",
  "redaction_source_missing",
  "redaction_source_unreadable",
  "redaction_source_empty",
  "redaction_analysis_mismatch",
  "redaction_render_failed",
  "redaction_frame_not_found",
  "redaction_document_invalid",
];
const ACTIONS = ["requested", "frames_viewed", "plan_saved", "render_requested", "completed", "failed", "cancelled", "downloaded"];

describe("anonymisation screen", () => {
  it("has its route under the exports screen, with the disclosure's id", () => {
    expect(reviewPath(12)).toBe("/exports/anonymisation/12");
    expect(disclosureIdOf("/exports/anonymisation/12")).toBe(12);
    expect(disclosureIdOf("/exports/anonymisation/x")).toBeNull();
    expect(disclosureIdOf("/exports")).toBeNull();
    expect(screenOfPath("/exports/anonymisation/12")?.id).toBe("exports");
  });

  it("says every disclosure and redaction error in French, not by its fallback", () => {
    for (const code of CODES) {
      const text = describeError({ code, message: "", details: {}, status: 409 });
      expect(text, code).not.toContain(code);
    }
  });

  it("labels the statuses, purposes and journal actions", () => {
    expect(statusLabel("review")).toBe("À revoir");
    expect(statusLabel("mystery")).toBe("mystery");
    expect(purposeLabel("access_request")).toBe("Demande d'accès d'une personne filmée");
    for (const action of ACTIONS) expect(actionLabel(`disclosure.${action}`), action).toBeTruthy();
    expect(actionLabel("export.requested")).toBeNull();
  });

  it("writes durations in minutes and seconds", () => {
    expect(formatDuration(6)).toBe("6 s");
    expect(formatDuration(125.4)).toBe("2 min 05 s");
  });
});
