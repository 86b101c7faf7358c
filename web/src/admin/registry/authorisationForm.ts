// The authorisation dialog's state: from an authorisation, validated as the API would (R1 of
// docs/design/registry-and-lawful-service.md), to a create body or a patch of what changed,
// and the API's refusals put next to their field.
import type { ApiError, Schemas } from "../../api/client";
import { t } from "../../i18n";
import { type Authorisation, defaultExpiry, explain, formatDay, invalidFields, type Purpose } from "./registry";

export interface AuthForm {
  reference: string;
  prefecture: string;
  issued_on: string;
  expires_on: string; // "" = the default (issue + 5 years − 1 day)
  purposes: Purpose[];
  retention_max_days: string;
  retention_min_days: string;
  camera_limit: string;
  recipients: string; // one per line
  notes: string;
}

export type AuthField = keyof AuthForm;
export type AuthErrors = Partial<Record<AuthField | "form", string>>;

export const EMPTY_AUTH: AuthForm = {
  reference: "",
  prefecture: "",
  issued_on: "",
  expires_on: "",
  purposes: [],
  retention_max_days: "",
  retention_min_days: "",
  camera_limit: "",
  recipients: "",
  notes: "",
};

export function authFormOf(a: Authorisation): AuthForm {
  return {
    reference: a.reference,
    prefecture: a.prefecture,
    issued_on: a.issued_on,
    expires_on: a.expires_on,
    purposes: [...(a.purposes as Purpose[])],
    retention_max_days: String(a.retention_max_days),
    retention_min_days: a.retention_min_days === null ? "" : String(a.retention_min_days),
    camera_limit: a.camera_limit === null ? "" : String(a.camera_limit),
    recipients: a.recipients.join("\n"),
    notes: a.notes,
  };
}

const intOf = (s: string): number | null => (/^\s*\d+\s*$/.test(s) ? Number(s) : null);

export function validateAuth(form: AuthForm, creating: boolean): AuthErrors {
  const errors: AuthErrors = {};
  const required = t("adminReg.required");
  if (creating && !form.reference.trim()) errors.reference = required;
  if (!form.prefecture.trim()) errors.prefecture = required;
  if (!form.issued_on) errors.issued_on = t("adminReg.auth.v.dateRequired");
  if (form.issued_on && form.expires_on) {
    const latest = defaultExpiry(form.issued_on);
    if (form.expires_on < form.issued_on) errors.expires_on = t("adminReg.auth.v.expiresBeforeIssue");
    else if (form.expires_on > latest) errors.expires_on = t("adminReg.auth.v.tooLong", { date: formatDay(latest) });
  }
  const max = intOf(form.retention_max_days);
  if (max === null || max < 1 || max > 30) errors.retention_max_days = t("adminReg.auth.v.retentionMax");
  if (form.retention_min_days.trim()) {
    const min = intOf(form.retention_min_days);
    if (min === null || min < 1 || (max !== null && min > max)) errors.retention_min_days = t("adminReg.auth.v.retentionMin");
  }
  if (form.camera_limit.trim()) {
    const limit = intOf(form.camera_limit);
    if (limit === null || limit < 1) errors.camera_limit = t("adminReg.auth.v.cameraLimit");
  }
  if (form.purposes.length === 0) errors.purposes = t("adminReg.auth.v.purposes");
  return errors;
}

const lines = (s: string): string[] =>
  s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
const optionalInt = (s: string): number | null => (s.trim() ? Number(s) : null);

export function authInput(form: AuthForm): Schemas["AuthorisationInput"] {
  return {
    reference: form.reference.trim(),
    prefecture: form.prefecture.trim(),
    issued_on: form.issued_on,
    expires_on: form.expires_on || null,
    purposes: form.purposes,
    retention_max_days: Number(form.retention_max_days),
    retention_min_days: optionalInt(form.retention_min_days),
    recipients: lines(form.recipients),
    camera_limit: optionalInt(form.camera_limit),
    notes: form.notes.trim(),
  };
}

/** Only what changed (the journal keeps before/after of the fields given), with the reason. */
export function authPatch(before: Authorisation, form: AuthForm, reason: string): Schemas["AuthorisationPatch"] {
  const next = authInput(form);
  const patch: Schemas["AuthorisationPatch"] = { reason: reason.trim() };
  if (next.prefecture !== before.prefecture) patch.prefecture = next.prefecture;
  if (next.issued_on !== before.issued_on) patch.issued_on = next.issued_on;
  if (next.expires_on && next.expires_on !== before.expires_on) patch.expires_on = next.expires_on;
  if ([...next.purposes].sort().join() !== [...before.purposes].sort().join()) patch.purposes = next.purposes;
  if (next.retention_max_days !== before.retention_max_days) patch.retention_max_days = next.retention_max_days;
  if (next.retention_min_days !== before.retention_min_days) patch.retention_min_days = next.retention_min_days;
  if (next.camera_limit !== before.camera_limit) patch.camera_limit = next.camera_limit;
  const recipients = next.recipients ?? [];
  if (recipients.join("\n") !== before.recipients.join("\n")) patch.recipients = recipients;
  if (next.notes !== before.notes) patch.notes = next.notes;
  return patch;
}

const AUTH_ERROR_FIELD: Record<string, AuthField> = {
  authorisation_reference_taken: "reference",
  invalid_authorisation_dates: "expires_on",
  retention_max_below_cameras: "retention_max_days",
  camera_limit_below_service: "camera_limit",
  purposes_required: "purposes",
};

/** Where the API's refusal belongs in the form, in French. */
export function authServerErrors(error: ApiError): AuthErrors {
  const field = AUTH_ERROR_FIELD[error.code];
  if (field) return { [field]: explain(error) };
  if (error.code === "invalid_retention_bounds") {
    return { [/minimum/.test(error.message) ? "retention_min_days" : "retention_max_days"]: explain(error) };
  }
  const fields = invalidFields(error).filter((f): f is AuthField => f in EMPTY_AUTH);
  if (fields.length > 0) return Object.fromEntries(fields.map((f) => [f, t("adminReg.error.field")]));
  return { form: explain(error) };
}
