// Pieces the people and records tabs share: errors in this area's French, the tab header,
// textarea / checkbox fields in this area's look, the site's today and days. Loading, the
// select and the dialog shells are admin/shared's.
import type { ReactNode } from "react";
import type { ApiError } from "../../api/client";
import { describeError } from "../../api/errors";
import { hasMessage, t } from "../../i18n";
import { fromLocalInput, toLocalInput } from "../../playback/geometry";
import { site } from "../../site";
import { CheckField as BaseCheck, type CheckProps, TextAreaField as BaseTextArea, type TextAreaProps } from "../shared/fields";

/** What to tell the user about an API error: this area's message for its codes, else the console's. */
export function explain(error: ApiError): string {
  const key = `adminPeople.error.${error.code}`;
  return hasMessage(key) ? t(key) : describeError(error);
}

/** A tab's header: its title and lead, and its actions on the right. */
export function TabHeader({ title, lead, children }: { title: string; lead: string; children?: ReactNode }) {
  return (
    <div className="ap-toolbar">
      <div>
        <h2 className="ap-title">{title}</h2>
        <p className="muted ap-lead">{lead}</p>
      </div>
      {children}
    </div>
  );
}

/** A checkbox in this area's look. */
export const CheckField = (props: CheckProps) => <BaseCheck className="ap-check" {...props} />;

/** A three-line textarea in this area's look; its error stands under it. */
export const TextAreaField = (props: TextAreaProps) => <BaseTextArea className="ap-textarea" rows={3} {...props} />;

/** Today's date at the site, YYYY-MM-DD. */
export function siteToday(now: number = Date.now()): string {
  return toLocalInput(now, site.timezone).slice(0, 10);
}

/** A date "dd/mm/yyyy" from "YYYY-MM-DD". */
export function frenchDate(iso: string): string {
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

/** The instant a site day (YYYY-MM-DD) starts, plus `days` days, as ISO (for API filters). */
export function siteDayStart(day: string, days = 0): string | null {
  const start = fromLocalInput(`${day}T00:00`, site.timezone);
  if (start === null) return null;
  if (days === 0) return new Date(start).toISOString();
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const shifted = fromLocalInput(`${next}T00:00`, site.timezone);
  return shifted === null ? null : new Date(shifted).toISOString();
}

/** The site day `days` before today (negative: after). */
export function siteDaysAgo(days: number, now: number = Date.now()): string {
  return new Date(Date.parse(`${siteToday(now)}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}
