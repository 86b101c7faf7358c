// The camera form's state: from a camera, validated client-side for the obvious (formats,
// ranges, the authorisation's retention bounds when known) — the server decides the law —,
// to a create body or a patch of what changed, and the API's refusals put next to their field.
import type { ApiError, Schemas } from "../../api/client";
import { t } from "../../i18n";
import { type Camera, type CameraStatus, explain, invalidFields } from "./registry";

export interface CameraForm {
  code: string;
  name: string;
  kind: Schemas["CameraKind"];
  commissioned_on: string;
  status: CameraStatus;
  address: string;
  latitude: string;
  longitude: string;
  azimuth_deg: string;
  view_angle_deg: string;
  view_range_m: string;
  main_stream_url: string; // editing: "" keeps the stored one (shown redacted)
  sub_stream_url: string;
  zone_id: string;
  retention_days: string;
  placement: Schemas["Placement"];
  site_category: Schemas["SiteCategory"];
  field_of_view: Schemas["FieldOfView"];
  fast_flows: boolean;
}

export type CameraField = keyof CameraForm;
export type CameraErrors = Partial<Record<CameraField | "form", string>>;

export const EMPTY_CAMERA: CameraForm = {
  code: "",
  name: "",
  kind: "fixed",
  commissioned_on: "",
  status: "planned",
  address: "",
  latitude: "",
  longitude: "",
  azimuth_deg: "",
  view_angle_deg: "",
  view_range_m: "",
  main_stream_url: "",
  sub_stream_url: "",
  zone_id: "",
  retention_days: "",
  placement: "public_road",
  site_category: "other",
  field_of_view: "wide",
  fast_flows: false,
};

const str = (n: number | null | undefined): string => (n === null || n === undefined ? "" : String(n));

export function cameraFormOf(c: Camera): CameraForm {
  return {
    code: c.code,
    name: c.name,
    kind: c.kind as Schemas["CameraKind"],
    commissioned_on: c.commissioned_on ?? "",
    status: c.status,
    address: c.address,
    latitude: str(c.latitude),
    longitude: str(c.longitude),
    azimuth_deg: str(c.azimuth_deg),
    view_angle_deg: str(c.view_angle_deg),
    view_range_m: str(c.view_range_m),
    main_stream_url: "",
    sub_stream_url: "",
    zone_id: String(c.zone_id),
    retention_days: String(c.retention_days),
    placement: c.placement as Schemas["Placement"],
    site_category: c.site_category as Schemas["SiteCategory"],
    field_of_view: c.field_of_view as Schemas["FieldOfView"],
    fast_flows: c.fast_flows,
  };
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const URL_FORM = /^(rtsps?|https?):\/\/[^\s/?#@]*@?[^\s/?#@:]+(:\d+)?([/?#]\S*)?$/i;

/** A decimal number typed the French way or not ("45,5" or "45.5"); null when empty. */
export function decimal(s: string): number | null | "invalid" {
  const v = s.trim().replace(",", ".");
  if (!v) return null;
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : "invalid";
}

/** Errors by field. The authorisation's retention bounds are shown beside the field and
 * checked by the server (retention_out_of_bounds), which is where the law is decided. */
export function validateCamera(form: CameraForm, creating: boolean): CameraErrors {
  const errors: CameraErrors = {};
  const required = t("adminReg.required");
  if (creating) {
    if (!form.code.trim()) errors.code = required;
    else if (form.code.trim().length > 32 || !CODE.test(form.code.trim())) errors.code = t("adminReg.form.v.code");
  }
  if (!form.name.trim()) errors.name = required;
  if (!form.zone_id) errors.zone_id = required;
  const main = form.main_stream_url.trim();
  if (creating && !main) errors.main_stream_url = required;
  else if (main && !URL_FORM.test(main)) errors.main_stream_url = t("adminReg.form.v.url");
  const sub = form.sub_stream_url.trim();
  if (sub && !URL_FORM.test(sub)) errors.sub_stream_url = t("adminReg.form.v.url");
  const retention = form.retention_days.trim();
  if (!retention) errors.retention_days = required;
  else if (!/^\d+$/.test(retention) || Number(retention) < 1 || Number(retention) > 30) {
    errors.retention_days = t("adminReg.form.v.retention");
  }
  Object.assign(errors, validateLocation(form));
  return errors;
}

function validateLocation(form: CameraForm): CameraErrors {
  const errors: CameraErrors = {};
  const number = t("adminReg.form.v.number");
  const check = (field: CameraField, ok: (v: number) => boolean, message: string) => {
    const v = decimal(String(form[field]));
    if (v === "invalid") errors[field] = number;
    else if (v !== null && !ok(v)) errors[field] = message;
  };
  check("latitude", (v) => v >= -90 && v <= 90, t("adminReg.form.v.latitude"));
  check("longitude", (v) => v >= -180 && v <= 180, t("adminReg.form.v.longitude"));
  check("azimuth_deg", (v) => v >= 0 && v < 360, t("adminReg.form.v.azimuth"));
  check("view_angle_deg", (v) => v > 0 && v <= 360, t("adminReg.form.v.angle"));
  check("view_range_m", (v) => v > 0 && v <= 5000, t("adminReg.form.v.range"));
  if (!errors.latitude && !errors.longitude && !form.latitude.trim() !== !form.longitude.trim()) {
    errors[form.latitude.trim() ? "longitude" : "latitude"] = t("adminReg.form.v.latlonPair");
  }
  return errors;
}

const num = (s: string): number | null => {
  const v = decimal(s);
  return v === "invalid" ? null : v;
};

/** The create body (fields already validated). */
export function cameraInput(form: CameraForm): Schemas["CameraInput"] {
  return {
    code: form.code.trim(),
    name: form.name.trim(),
    zone_id: Number(form.zone_id),
    kind: form.kind,
    placement: form.placement,
    site_category: form.site_category,
    field_of_view: form.field_of_view,
    fast_flows: form.fast_flows,
    latitude: num(form.latitude),
    longitude: num(form.longitude),
    azimuth_deg: num(form.azimuth_deg),
    view_angle_deg: num(form.view_angle_deg),
    view_range_m: num(form.view_range_m),
    address: form.address.trim(),
    main_stream_url: form.main_stream_url.trim(),
    sub_stream_url: form.sub_stream_url.trim() || null,
    retention_days: Number(form.retention_days),
    commissioned_on: form.commissioned_on || null,
    status: form.status,
  };
}

/** Only what changed, with the reason; empty stream fields keep the stored URLs. */
export function cameraPatch(before: Camera, form: CameraForm, reason: string): Schemas["CameraPatch"] {
  const next = cameraInput(form);
  const patch: Schemas["CameraPatch"] = { reason: reason.trim() };
  const keys = [
    "name",
    "zone_id",
    "kind",
    "placement",
    "site_category",
    "field_of_view",
    "fast_flows",
    "latitude",
    "longitude",
    "azimuth_deg",
    "view_angle_deg",
    "view_range_m",
    "address",
    "retention_days",
    "commissioned_on",
  ] as const;
  for (const key of keys) {
    if (next[key] !== (before[key] ?? null)) (patch as Record<string, unknown>)[key] = next[key];
  }
  if (next.main_stream_url) patch.main_stream_url = next.main_stream_url;
  if (next.sub_stream_url) patch.sub_stream_url = next.sub_stream_url;
  return patch;
}

const CAMERA_ERROR_FIELD: Record<string, CameraField> = {
  camera_code_taken: "code",
  zone_not_found: "zone_id",
  retention_out_of_bounds: "retention_days",
  authorisation_not_valid: "status",
  authorisation_camera_limit: "status",
  invalid_location: "latitude",
};

/** Where the API's refusal belongs in the form, in French. */
export function cameraServerErrors(error: ApiError): CameraErrors {
  if (error.code === "invalid_stream_url") {
    const field = error.details["stream"] === "sub" ? "sub_stream_url" : "main_stream_url";
    return { [field]: explain(error) };
  }
  const field = CAMERA_ERROR_FIELD[error.code];
  if (field) return { [field]: explain(error) };
  const fields = invalidFields(error).filter((f): f is CameraField => f in EMPTY_CAMERA);
  if (fields.length > 0) return Object.fromEntries(fields.map((f) => [f, t("adminReg.error.field")]));
  return { form: explain(error) };
}
