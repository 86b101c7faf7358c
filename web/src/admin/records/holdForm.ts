// The "place a hold" form's checks, as the API makes them (storage.models.HoldInput), and its
// body: the period is typed in site time (datetime-local) and sent as instants.
import type { MessageKey } from "../../i18n";
import { fromLocalInput } from "../../playback/geometry";

export const GROUNDS = ["flagrant_offence", "preliminary_investigation", "judicial_investigation"] as const;
export type Ground = (typeof GROUNDS)[number];

export interface HoldDraft {
  cameraIds: number[];
  from: string; // datetime-local, site time
  to: string;
  ground: Ground;
  procedure: string;
  authority: string;
  reason: string;
  until: string; // YYYY-MM-DD or ""
}

export type HoldField = "cameras" | "period" | "procedure" | "authority" | "reason" | "until";
export type HoldErrors = Partial<Record<HoldField, { key: MessageKey; max?: number }>>;

const LIMITS = { procedure: 100, authority: 200, reason: 2000 } as const;

export function emptyHold(): HoldDraft {
  return { cameraIds: [], from: "", to: "", ground: "flagrant_offence", procedure: "", authority: "", reason: "", until: "" };
}

/** What is wrong with the draft (empty when it can be sent). `today` is the site's date. */
export function validateHold(d: HoldDraft, timeZone: string, now: number, today: string): HoldErrors {
  const errors: HoldErrors = {};
  if (d.cameraIds.length === 0) errors.cameras = { key: "adminPeople.holds.err.cameras" };
  const from = fromLocalInput(d.from, timeZone);
  const to = fromLocalInput(d.to, timeZone);
  if (from === null || to === null || !(to > from)) errors.period = { key: "adminPeople.holds.err.period" };
  else if (from > now) errors.period = { key: "adminPeople.holds.err.future" };
  for (const field of ["procedure", "authority", "reason"] as const) {
    const value = d[field].trim();
    if (value === "") errors[field] = { key: "adminPeople.required" };
    else if (value.length > LIMITS[field]) errors[field] = { key: "adminPeople.holds.err.tooLong", max: LIMITS[field] };
  }
  if (d.until !== "" && d.until < today) errors.until = { key: "adminPeople.holds.err.until" };
  return errors;
}

/** The POST /api/legal-holds body of a valid draft. */
export function holdBody(d: HoldDraft, timeZone: string) {
  const instant = (v: string) => new Date(fromLocalInput(v, timeZone) ?? Number.NaN).toISOString();
  return {
    camera_ids: [...d.cameraIds].sort((a, b) => a - b),
    start: instant(d.from),
    end: instant(d.to),
    ground: d.ground,
    procedure_number: d.procedure.trim(),
    authority: d.authority.trim(),
    reason: d.reason.trim(),
    until: d.until || null,
  };
}
