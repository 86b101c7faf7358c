import { describe, expect, it } from "vitest";
import { type CameraForm, cameraFormOf, cameraInput, cameraPatch, cameraServerErrors, decimal, EMPTY_CAMERA, validateCamera } from "./cameraForm";
import type { Camera } from "./registry";

const apiError = (code: string, details: Record<string, unknown> = {}) => ({ code, message: "", details, status: 422 });

const FORM: CameraForm = {
  ...EMPTY_CAMERA,
  code: "GAR-001",
  name: "Parvis de la gare",
  zone_id: "4",
  retention_days: "14",
  main_stream_url: "rtsp://installateur:s3cret@10.0.0.7:554/Streaming/Channels/101",
  latitude: "44,9282",
  longitude: "4.8936",
  field_of_view: "narrow",
  fast_flows: true,
};

const CAMERA: Camera = {
  id: 9,
  code: "GAR-001",
  name: "Parvis de la gare",
  zone_id: 4,
  authorisation_id: 3,
  authorisation_status: "valid",
  lawful: true,
  kind: "fixed",
  placement: "public_road",
  site_category: "station",
  field_of_view: "narrow",
  fast_flows: true,
  legal_minimums: { width: 704, height: 576, fps: 12 },
  latitude: 44.9282,
  longitude: 4.8936,
  azimuth_deg: null,
  view_angle_deg: null,
  view_range_m: null,
  address: "Place de la Gare",
  main_stream_url: "rtsp://***@10.0.0.7:554/Streaming/Channels/101",
  sub_stream_url: null,
  retention_days: 14,
  commissioned_on: null,
  status: "in_service",
  status_changed_at: "2026-11-22T09:00:00Z",
  group_ids: [],
};

describe("camera form validation", () => {
  it("accepts a complete form", () => {
    expect(validateCamera(FORM, true)).toEqual({});
  });

  it("catches the obvious: required fields, code, URL, retention range", () => {
    const errors = validateCamera({ ...EMPTY_CAMERA, code: "CAM 1", main_stream_url: "ftp://x", retention_days: "45" }, true);
    expect(Object.keys(errors).sort()).toEqual(["code", "main_stream_url", "name", "retention_days", "zone_id"]);
    expect(errors.retention_days).toContain("1 à 30");
    expect(validateCamera({ ...FORM, main_stream_url: "rtsp://" }, true).main_stream_url).toBeDefined();
    expect(validateCamera({ ...FORM, retention_days: "7.5" }, true).retention_days).toBeDefined();
  });

  it("leaves the authorisation's bounds to the server", () => {
    expect(validateCamera({ ...FORM, retention_days: "28" }, true)).toEqual({});
  });

  it("checks the location ranges and that latitude and longitude come together", () => {
    const errors = validateCamera({ ...FORM, latitude: "91", azimuth_deg: "360", view_angle_deg: "0", view_range_m: "abc" }, true);
    expect(Object.keys(errors).sort()).toEqual(["azimuth_deg", "latitude", "view_angle_deg", "view_range_m"]);
    expect(validateCamera({ ...FORM, longitude: "" }, true).longitude).toContain("ensemble");
  });

  it("keeps the stored stream when editing with the URL left empty", () => {
    expect(validateCamera(cameraFormOf(CAMERA), false)).toEqual({});
  });
});

describe("camera form mapping", () => {
  it("reads French decimals", () => {
    expect(decimal("44,9282")).toBe(44.9282);
    expect(decimal(" ")).toBeNull();
    expect(decimal("4.8.9")).toBe("invalid");
  });

  it("sends the create body with numbers and nulls", () => {
    expect(cameraInput(FORM)).toMatchObject({
      code: "GAR-001",
      zone_id: 4,
      retention_days: 14,
      latitude: 44.9282,
      longitude: 4.8936,
      azimuth_deg: null,
      sub_stream_url: null,
      commissioned_on: null,
      status: "planned",
    });
  });

  it("patches only what changed, never the redacted URL", () => {
    const form = { ...cameraFormOf(CAMERA), retention_days: "21", name: "Parvis nord" };
    expect(cameraPatch(CAMERA, form, " recette ")).toEqual({ reason: "recette", name: "Parvis nord", retention_days: 21 });
    const moved = cameraPatch(CAMERA, { ...cameraFormOf(CAMERA), main_stream_url: "rtsp://10.0.0.8/main" }, "x");
    expect(moved).toEqual({ reason: "x", main_stream_url: "rtsp://10.0.0.8/main" });
  });
});

describe("server errors on their fields", () => {
  it("puts each registry refusal next to its field, in French", () => {
    const retention = cameraServerErrors(apiError("retention_out_of_bounds", { retention_days: 28, minimum: 7, maximum: 21 }));
    expect(retention).toEqual({ retention_days: "Durée hors des bornes de l'autorisation : entre 7 et 21 jours." });
    expect(Object.keys(cameraServerErrors(apiError("camera_code_taken")))).toEqual(["code"]);
    expect(Object.keys(cameraServerErrors(apiError("zone_not_found")))).toEqual(["zone_id"]);
    const limit = cameraServerErrors(apiError("authorisation_camera_limit", { authorisation: "2024/DSC/0457", limit: 40 }));
    expect(limit.status).toContain("au plus 40 caméras");
    const notValid = cameraServerErrors(apiError("authorisation_not_valid", { authorisation: "2019/DSC/0031", status: "expired" }));
    expect(notValid.status).toContain("2019/DSC/0031");
  });

  it("tells the main stream from the sub-stream", () => {
    expect(Object.keys(cameraServerErrors(apiError("invalid_stream_url", { stream: "sub" })))).toEqual(["sub_stream_url"]);
    expect(Object.keys(cameraServerErrors(apiError("invalid_stream_url", { stream: "main" })))).toEqual(["main_stream_url"]);
  });

  it("maps request-validation errors to their fields, the rest to the form", () => {
    const invalid = apiError("invalid_request", { errors: [{ field: "body.view_range_m", problem: "<= 5000" }] });
    expect(Object.keys(cameraServerErrors(invalid))).toEqual(["view_range_m"]);
    expect(Object.keys(cameraServerErrors({ ...apiError("internal_error"), status: 500 }))).toEqual(["form"]);
  });
});
