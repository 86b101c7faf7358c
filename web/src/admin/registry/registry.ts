// The registry tabs' shared vocabulary and pure decisions: the API's enums as lists (to draw
// checkboxes and selects), status tones, which authorisations need action, the arrêté of
// 3 August 2007 minimums (mirror of registry.policy.legal_minimums, shown live in the form;
// the server decides), the camera status transitions (mirror of registry.policy), and the
// French wording of API errors of this area.
import type { ApiError, Schemas } from "../../api/client";
import { describeError } from "../../api/errors";
import { hasMessage, type MessageKey, t } from "../../i18n";

export type Authorisation = Schemas["AuthorisationOut"];
export type Zone = Schemas["ZoneOut"];
export type Camera = Schemas["CameraOut"];
export type AuthStatus = Schemas["AuthorisationStatus"];
export type CameraStatus = Schemas["CameraStatus"];
export type Purpose = Schemas["sentinelle__registry__models__Purpose"];
export type Tone = "ok" | "info" | "warn" | "error" | "muted";

/** Every value of a string union, checked both ways by the compiler. */
function all<T extends string>() {
  return <const L extends readonly T[]>(list: L & ([T] extends [L[number]] ? unknown : never)) => list;
}

export const PURPOSES = all<Purpose>()([
  "attacks_on_persons_and_property",
  "public_buildings_protection",
  "traffic_regulation",
  "traffic_offences",
  "drug_trafficking",
  "terrorism_prevention",
  "natural_technological_risks",
  "rescue_and_fire",
  "national_defence_installations",
  "amusement_park_safety",
  "vehicle_insurance_checks",
  "waste_dumping",
]);
export const CAMERA_KINDS = all<Schemas["CameraKind"]>()(["fixed", "ptz", "dome", "armoured", "thermal", "mobile"]);
export const PLACEMENTS = all<Schemas["Placement"]>()(["public_road", "public_building"]);
export const SITE_CATEGORIES = all<Schemas["SiteCategory"]>()([
  "other",
  "school",
  "creche",
  "station",
  "city_entrance",
  "market",
  "park",
  "municipal_building",
]);
export const FIELDS_OF_VIEW = all<Schemas["FieldOfView"]>()(["narrow", "wide"]);
export const CAMERA_STATUSES = all<CameraStatus>()([
  "planned",
  "awaiting_authorisation",
  "in_service",
  "out_of_service",
  "decommissioned",
]);

export const AUTH_TONE: Record<AuthStatus, Tone> = {
  valid: "ok",
  renewal_due: "warn",
  expired: "error",
  not_yet_valid: "info",
};

export const CAMERA_TONE: Record<CameraStatus, Tone> = {
  planned: "muted",
  awaiting_authorisation: "warn",
  in_service: "ok",
  out_of_service: "error",
  decommissioned: "muted",
};

export const authStatusLabel = (s: AuthStatus): string => t(`adminReg.authStatus.${s}`);
export const cameraStatusLabel = (s: CameraStatus): string => t(`adminReg.status.${s}`);
export const purposeLabel = (p: Purpose): string => t(`adminReg.purpose.${p}`);
export const kindLabel = (k: string): string => label(`adminReg.kind.${k}`, k);
export const placementLabel = (p: string): string => label(`adminReg.placement.${p}`, p);
export const siteLabel = (s: string): string => label(`adminReg.site.${s}`, s);
export const fovLabel = (f: string): string => label(`adminReg.fov.${f}`, f);
export const codecLabel = (c: string): string => label(`adminReg.probe.codec.${c}`, c.toUpperCase());

function label(key: string, fallback: string): string {
  return hasMessage(key) ? t(key) : fallback;
}

/** The row highlight of an authorisation: renewal due (warn) or expired (error). */
export function authorisationHighlight(status: AuthStatus): "warn" | "error" | null {
  if (status === "expired") return "error";
  if (status === "renewal_due") return "warn";
  return null;
}

/** How many authorisations need action, by kind (for the banner above the table). */
export function needingAction(rows: readonly Pick<Authorisation, "status">[]): { expired: number; renewal: number } {
  return {
    expired: rows.filter((r) => r.status === "expired").length,
    renewal: rows.filter((r) => r.status === "renewal_due").length,
  };
}

export interface Minimums {
  width: number;
  height: number;
  fps: number;
}

/** Arrêté of 3 August 2007: 704×576 in narrow field (12 fps on fast flows, else 6), else 352×288 at 6 fps. */
export function legalMinimums(fieldOfView: string, fastFlows: boolean): Minimums {
  if (fieldOfView === "narrow") return { width: 704, height: 576, fps: fastFlows ? 12 : 6 };
  return { width: 352, height: 288, fps: 6 };
}

/** The problems of measured images against the minimums, in French (the server's verdict rules). */
export function conformityProblems(width: number, height: number, fps: number, mins: Minimums): string[] {
  const out: string[] = [];
  if (width < mins.width || height < mins.height) {
    out.push(t("adminReg.probe.problem.resolution", { width, height, minWidth: mins.width, minHeight: mins.height }));
  }
  if (fps + 0.05 < mins.fps) out.push(t("adminReg.probe.problem.fps", { fps: formatFps(fps), minFps: mins.fps }));
  return out;
}

export function formatFps(fps: number): string {
  return fps.toLocaleString("fr-FR", { maximumFractionDigits: 1 });
}

const TRANSITIONS: Record<CameraStatus, readonly CameraStatus[]> = {
  planned: ["awaiting_authorisation", "in_service", "decommissioned"],
  awaiting_authorisation: ["planned", "in_service", "decommissioned"],
  in_service: ["out_of_service", "awaiting_authorisation", "decommissioned"],
  out_of_service: ["in_service", "awaiting_authorisation", "decommissioned"],
  decommissioned: [],
};

/** The statuses a camera may go to from `current` (registry.policy.check_transition). */
export function nextStatuses(current: CameraStatus): readonly CameraStatus[] {
  return TRANSITIONS[current];
}

/** This area's French for an API error (with its details filled in), else the console's. */
export function explain(error: ApiError): string {
  const key = `adminReg.error.${error.code}`;
  if (!hasMessage(key)) return describeError(error);
  const vars: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(error.details)) {
    if (typeof value === "string" || typeof value === "number") vars[name] = value;
    else if (Array.isArray(value)) vars[name] = value.join(", ");
  }
  return t(key as MessageKey, vars);
}

/** The `body.<field>` names a request-validation error (422 invalid_request) points at. */
export function invalidFields(error: ApiError): string[] {
  if (error.code !== "invalid_request") return [];
  const errors = error.details["errors"];
  if (!Array.isArray(errors)) return [];
  return errors
    .map((e: unknown) => (e && typeof e === "object" && "field" in e ? String((e as { field: unknown }).field) : ""))
    .filter((f) => f.startsWith("body."))
    .map((f) => f.slice(5).split(".")[0]!);
}

/** Today's date on the site's calendar, yyyy-mm-dd (the API's dates are the site's). */
export function siteToday(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

/** A yyyy-mm-dd date as dd/mm/yyyy. */
export function formatDay(day: string | null | undefined): string {
  if (!day) return t("adminReg.none");
  const [y, m, d] = day.split("-");
  return `${d}/${m}/${y}`;
}

/** Date arithmetic on yyyy-mm-dd, as registry.policy.add_months (clamped to month ends). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const index = m - 1 + months;
  const year = y + Math.floor(index / 12);
  const month = ((index % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return iso(year, month + 1, Math.min(d, last));
}

/** Issue + 5 years − 1 day (registry.policy.default_expiry). */
export function defaultExpiry(issuedOn: string): string {
  const fifth = addMonths(issuedOn, 60);
  const [y, m, d] = fifth.split("-").map(Number) as [number, number, number];
  const before = new Date(Date.UTC(y, m - 1, d - 1));
  return iso(before.getUTCFullYear(), before.getUTCMonth() + 1, before.getUTCDate());
}

function iso(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}
