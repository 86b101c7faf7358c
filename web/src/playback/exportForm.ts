// The export dialog's validation, as the API checks it (src/sentinelle/evidence/models.py).
import type { MessageKey } from "../i18n";
import { HOUR } from "./geometry";

export const MAX_EXPORT_MS = 24 * HOUR;

export interface ExportForm {
  from: number;
  to: number;
  reason: string;
  requisition: string;
  officer: string;
}

export type ExportErrors = Partial<Record<"period" | "reason" | "requisition" | "officer", { key: MessageKey; max?: number }>>;

export function validateExport(form: ExportForm): ExportErrors {
  const errors: ExportErrors = {};
  if (!(form.to > form.from)) errors.period = { key: "playback.exportEmpty" };
  else if (form.to - form.from > MAX_EXPORT_MS) errors.period = { key: "playback.exportTooLong" };
  if (form.reason.trim().length === 0) errors.reason = { key: "playback.exportReasonRequired" };
  else if (form.reason.trim().length > 2000) errors.reason = { key: "playback.exportFieldTooLong", max: 2000 };
  if (form.requisition.trim().length > 100) errors.requisition = { key: "playback.exportFieldTooLong", max: 100 };
  if (form.officer.trim().length > 200) errors.officer = { key: "playback.exportFieldTooLong", max: 200 };
  return errors;
}

export function exportBody(form: ExportForm, cameraIds: number[]) {
  return {
    camera_ids: cameraIds,
    from: new Date(form.from).toISOString(),
    to: new Date(form.to).toISOString(),
    reason: form.reason.trim(),
    requisition: form.requisition.trim(),
    officer: form.officer.trim(),
  };
}
