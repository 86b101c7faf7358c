// A habilitation's state as the console shows it: the server's rule (access-and-journal A6:
// valid iff sworn, not revoked and today within [designated_on, expires_on]) plus "expiring"
// for a valid one that lapses within EXPIRING_DAYS (the renewal window the banner counts).
export const EXPIRING_DAYS = 30;

export type HabilitationState = "valid" | "expiring" | "expired" | "revoked" | "not_sworn" | "not_yet_valid";

export interface HabilitationFacts {
  designated_on: string; // YYYY-MM-DD
  expires_on: string;
  sworn: boolean;
  revoked_at: string | null;
}

export const STATE_TONE: Record<HabilitationState, "ok" | "warn" | "error" | "muted" | "info"> = {
  valid: "ok",
  expiring: "warn",
  expired: "error",
  revoked: "muted",
  not_sworn: "error",
  not_yet_valid: "info",
};

/** Whole days from `from` to `to` (ISO dates; negative when `to` is before). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function habilitationState(h: HabilitationFacts, today: string): HabilitationState {
  if (h.revoked_at !== null) return "revoked";
  if (!h.sworn) return "not_sworn";
  if (today < h.designated_on) return "not_yet_valid";
  if (today > h.expires_on) return "expired";
  return daysBetween(today, h.expires_on) <= EXPIRING_DAYS ? "expiring" : "valid";
}

/** How many of these lapse within the renewal window (valid today, expiring soon). */
export function countExpiring(list: readonly HabilitationFacts[], today: string): number {
  return list.filter((h) => habilitationState(h, today) === "expiring").length;
}
