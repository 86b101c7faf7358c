import { describe, expect, it } from "vitest";
import { authInput, authPatch, authServerErrors, EMPTY_AUTH, validateAuth } from "./authorisationForm";
import { filterCameras } from "./CamerasTab";
import {
  addMonths,
  type Authorisation,
  authorisationHighlight,
  type Camera,
  conformityProblems,
  defaultExpiry,
  explain,
  legalMinimums,
  needingAction,
  nextStatuses,
} from "./registry";

const apiError = (code: string, details: Record<string, unknown> = {}, message = "") => ({ code, message, details, status: 422 });

describe("authorisation highlighting", () => {
  it("marks renewal due as a warning and expiry as an error, nothing else", () => {
    expect(authorisationHighlight("renewal_due")).toBe("warn");
    expect(authorisationHighlight("expired")).toBe("error");
    expect(authorisationHighlight("valid")).toBeNull();
    expect(authorisationHighlight("not_yet_valid")).toBeNull();
  });

  it("counts what needs action for the banner", () => {
    const rows = [{ status: "expired" }, { status: "renewal_due" }, { status: "renewal_due" }, { status: "valid" }] as const;
    expect(needingAction(rows)).toEqual({ expired: 1, renewal: 2 });
    expect(needingAction([{ status: "valid" }])).toEqual({ expired: 0, renewal: 0 });
  });
});

describe("dates as the registry counts them", () => {
  it("adds months clamped to month ends", () => {
    expect(addMonths("2027-01-09", -4)).toBe("2026-09-09");
    expect(addMonths("2026-03-31", -1)).toBe("2026-02-28");
    expect(addMonths("2024-02-29", 12)).toBe("2025-02-28");
  });

  it("lasts five years less a day by default (CSI L252-4)", () => {
    expect(defaultExpiry("2024-03-01")).toBe("2029-02-28");
    expect(defaultExpiry("2022-01-10")).toBe("2027-01-09");
  });
});

describe("2007 standard", () => {
  it("sets the minimums from the field of view and fast flows", () => {
    expect(legalMinimums("narrow", true)).toEqual({ width: 704, height: 576, fps: 12 });
    expect(legalMinimums("narrow", false)).toEqual({ width: 704, height: 576, fps: 6 });
    expect(legalMinimums("wide", true)).toEqual({ width: 352, height: 288, fps: 6 });
  });

  it("lists the problems in French, with the server's fps tolerance", () => {
    const mins = legalMinimums("wide", false);
    expect(conformityProblems(320, 240, 5, mins)).toEqual([
      "Résolution 320×240 inférieure au minimum 352×288.",
      "Cadence réelle 5 images/s inférieure au minimum de 6 images/s.",
    ]);
    expect(conformityProblems(352, 288, 5.96, mins)).toEqual([]);
  });
});

describe("camera status transitions", () => {
  it("follows the registry's transitions; decommissioned is final", () => {
    expect(nextStatuses("planned")).toEqual(["awaiting_authorisation", "in_service", "decommissioned"]);
    expect(nextStatuses("in_service")).not.toContain("planned");
    expect(nextStatuses("decommissioned")).toEqual([]);
  });
});

describe("errors in French", () => {
  it("fills the details the API gives", () => {
    const text = explain(apiError("retention_out_of_bounds", { retention_days: 28, minimum: 7, maximum: 21 }));
    expect(text).toBe("Durée hors des bornes de l'autorisation : entre 7 et 21 jours.");
    expect(explain(apiError("retention_max_below_cameras", { cameras: ["CAM-001", "CAM-002"] }))).toContain("CAM-001, CAM-002");
  });

  it("falls back to the console's messages for other codes", () => {
    expect(explain({ ...apiError("permission_denied"), status: 403 })).toBe("Votre rôle ne permet pas cette action.");
  });
});

const AUTH: Authorisation = {
  id: 3,
  reference: "2024/DSC/0457",
  prefecture: "Préfecture de la Drôme",
  issued_on: "2024-03-01",
  expires_on: "2029-02-28",
  status: "valid",
  renewal_file_due_on: "2028-10-28",
  purposes: ["attacks_on_persons_and_property"],
  retention_max_days: 21,
  retention_min_days: 7,
  recipients: ["Commissariat de Valence"],
  camera_limit: null,
  notes: "",
  zone_ids: [1],
};

describe("authorisation form", () => {
  const filled = {
    ...EMPTY_AUTH,
    reference: " 2026/DSC/0100 ",
    prefecture: "Préfecture de la Drôme",
    issued_on: "2026-01-15",
    purposes: ["traffic_regulation" as const],
    retention_max_days: "21",
    recipients: "Commissariat de Valence\n\n Gendarmerie de Bourg-lès-Valence ",
  };

  it("accepts a complete arrêté and sends it trimmed, the expiry left to the default", () => {
    expect(validateAuth(filled, true)).toEqual({});
    expect(authInput(filled)).toMatchObject({
      reference: "2026/DSC/0100",
      expires_on: null,
      retention_min_days: null,
      camera_limit: null,
      recipients: ["Commissariat de Valence", "Gendarmerie de Bourg-lès-Valence"],
    });
  });

  it("refuses what the law refuses", () => {
    const errors = validateAuth(
      { ...filled, expires_on: "2031-01-15", retention_max_days: "31", retention_min_days: "9", purposes: [] },
      true,
    );
    expect(Object.keys(errors).sort()).toEqual(["expires_on", "purposes", "retention_max_days"]);
    expect(errors.expires_on).toContain("14/01/2031");
    expect(validateAuth({ ...filled, retention_min_days: "22" }, true).retention_min_days).toBeDefined();
    expect(validateAuth({ ...filled, expires_on: "2025-12-31" }, true).expires_on).toContain("suivre");
  });

  it("patches only what changed, with the reason", () => {
    const form = { ...EMPTY_AUTH, ...authFormOfAuth(), expires_on: "2031-02-27", issued_on: "2026-02-28" };
    expect(authPatch(AUTH, form, " renouvellement ")).toEqual({
      reason: "renouvellement",
      issued_on: "2026-02-28",
      expires_on: "2031-02-27",
    });
  });

  it("puts the server's refusals next to their field", () => {
    expect(Object.keys(authServerErrors(apiError("authorisation_reference_taken")))).toEqual(["reference"]);
    expect(Object.keys(authServerErrors(apiError("invalid_retention_bounds", {}, "minimum retention must be 1-21 days")))).toEqual([
      "retention_min_days",
    ]);
    const invalid = apiError("invalid_request", { errors: [{ field: "body.camera_limit", problem: "too big" }] });
    expect(Object.keys(authServerErrors(invalid))).toEqual(["camera_limit"]);
    expect(Object.keys(authServerErrors({ ...apiError("network"), status: 0 }))).toEqual(["form"]);
  });
});

function authFormOfAuth() {
  return {
    reference: AUTH.reference,
    prefecture: AUTH.prefecture,
    purposes: [...AUTH.purposes] as ["attacks_on_persons_and_property"],
    retention_max_days: "21",
    retention_min_days: "7",
    camera_limit: "",
    recipients: "Commissariat de Valence",
    notes: "",
  };
}

describe("camera filter", () => {
  const cam = (code: string, name: string, extra: Partial<Camera> = {}) =>
    ({ code, name, address: "", status: "in_service", zone_id: 1, lawful: true, ...extra }) as Camera;
  const cams = [
    cam("GAR-001", "Parvis de la gare"),
    cam("VSR-001", "Place de l'Hôtel de Ville", { zone_id: 2 }),
    cam("MAR-001", "Halles", { status: "awaiting_authorisation", lawful: false, address: "Rue du Marché" }),
  ];
  const none = { text: "", status: "", zoneId: "", lawful: "" } as const;

  it("searches code, name and address, ignoring case and accents", () => {
    expect(filterCameras(cams, { ...none, text: "hotel" }).map((c) => c.code)).toEqual(["VSR-001"]);
    expect(filterCameras(cams, { ...none, text: "marché" }).map((c) => c.code)).toEqual(["MAR-001"]);
    expect(filterCameras(cams, { ...none, text: "gar" }).map((c) => c.code)).toEqual(["GAR-001"]);
  });

  it("filters by status, zone and lawful service", () => {
    expect(filterCameras(cams, { ...none, lawful: "no" }).map((c) => c.code)).toEqual(["MAR-001"]);
    expect(filterCameras(cams, { ...none, zoneId: "2" }).map((c) => c.code)).toEqual(["VSR-001"]);
    expect(filterCameras(cams, { ...none, status: "in_service" })).toHaveLength(2);
  });
});
