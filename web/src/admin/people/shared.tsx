// Pieces the people and records tabs share: errors in this area's French, a loader hook,
// select / textarea / checkbox fields in the console's look, the site's today and days.
import { type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes, useCallback, useEffect, useId, useState } from "react";
import { type ApiError, asApiError, networkError } from "../../api/client";
import { describeError } from "../../api/errors";
import { hasMessage, t } from "../../i18n";
import { fromLocalInput, toLocalInput } from "../../playback/geometry";
import { site } from "../../site";

/** What to tell the user about an API error: this area's message for its codes, else the console's. */
export function explain(error: ApiError): string {
  const key = `adminPeople.error.${error.code}`;
  return hasMessage(key) ? t(key) : describeError(error);
}

export type Load<T> = { state: "loading" } | { state: "error"; error: ApiError } | { state: "ready"; data: T };

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Run an openapi-fetch call: its data, or the API error (network failures included). */
export async function call<T>(request: () => Promise<Answer<T>>): Promise<{ data: T } | { error: ApiError }> {
  try {
    const { data, error, response } = await request();
    if (data !== undefined && response.ok) return { data };
    return { error: asApiError(error, response.status) };
  } catch {
    return { error: networkError() };
  }
}

/** Load with `fetcher` now and whenever it changes; `reload` runs it again. A 401 is left to the shell. */
export function useLoad<T>(fetcher: () => Promise<{ data: T } | { error: ApiError }>): [Load<T>, () => void] {
  const [load, setLoad] = useState<Load<T>>({ state: "loading" });
  const run = useCallback(() => {
    setLoad((prev) => (prev.state === "ready" ? prev : { state: "loading" }));
    void fetcher().then((result) => {
      if ("data" in result) setLoad({ state: "ready", data: result.data });
      else if (result.error.status !== 401) setLoad({ state: "error", error: result.error });
    });
  }, [fetcher]);
  useEffect(run, [run]);
  return [load, run];
}

export function SelectField({
  label,
  children,
  ...props
}: SelectHTMLAttributes<HTMLSelectElement> & { label: string; children: ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...props}>
        {children}
      </select>
    </div>
  );
}

export function TextAreaField({
  label,
  error,
  ...props
}: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; error?: string | null }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className={`field ${error ? "field-invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      <textarea id={id} className="ap-textarea" rows={3} aria-invalid={error ? true : undefined} aria-describedby={error ? hintId : undefined} {...props} />
      {error && (
        <div id={hintId} className="field-hint">
          {error}
        </div>
      )}
    </div>
  );
}

export function CheckField({ label, checked, onChange }: { label: ReactNode; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label className="ap-check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span>{label}</span>
    </label>
  );
}

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
