// Pieces the registry tabs share: API calls that answer data or a French-ready error, a
// loader hook, the whole camera list (paged by the API), and select / textarea / checkbox
// fields in the console's look.
import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useCallback,
  useEffect,
  useId,
  useState,
} from "react";
import { api, type ApiError, asApiError, networkError, type Schemas } from "../../api/client";
import type { Authorisation, Camera, Zone } from "./registry";

export type Result<T> = { data: T } | { error: ApiError };
export type Load<T> = { state: "loading" } | { state: "error"; error: ApiError } | { state: "ready"; data: T };

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Run an openapi-fetch call: its data, or the API error (network failures included). */
export async function call<T>(request: () => Promise<Answer<T>>): Promise<Result<T>> {
  try {
    const { data, error, response } = await request();
    if (data !== undefined && response.ok) return { data };
    return { error: asApiError(error, response.status) };
  } catch {
    return { error: networkError() };
  }
}

/** Load with `fetcher` now and whenever it changes; `reload` runs it again (keeping what is
 * shown meanwhile). A 401 is left to the shell, which goes back to the login page. */
export function useLoad<T>(fetcher: () => Promise<Result<T>>): [Load<T>, () => void] {
  const [load, setLoad] = useState<Load<T>>({ state: "loading" });
  const run = useCallback(() => {
    void fetcher().then((result) => {
      if ("data" in result) setLoad({ state: "ready", data: result.data });
      else if (result.error.status !== 401) setLoad({ state: "error", error: result.error });
    });
  }, [fetcher]);
  useEffect(run, [run]);
  return [load, run];
}

const PAGE = 500;

/** Every camera the caller may see, page after page. */
export async function allCameras(): Promise<Result<Camera[]>> {
  const out: Camera[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await call(() => api.GET("/api/cameras", { params: { query: { limit: PAGE, offset } } }));
    if ("error" in page) return page;
    out.push(...page.data.items);
    if (out.length >= page.data.total || page.data.items.length === 0) return { data: out };
  }
}

export interface Registry {
  authorisations: Authorisation[];
  zones: Zone[];
  cameras: Camera[];
}

/** Authorisations, zones and cameras together (the tabs cross-reference them). */
export async function loadRegistry(): Promise<Result<Registry>> {
  const [auths, zones, cameras] = await Promise.all([
    call(() => api.GET("/api/authorisations")),
    call(() => api.GET("/api/zones")),
    allCameras(),
  ]);
  if ("error" in auths) return auths;
  if ("error" in zones) return zones;
  if ("error" in cameras) return cameras;
  return { data: { authorisations: auths.data, zones: zones.data, cameras: cameras.data } };
}

export function SelectField({
  label,
  hint,
  error,
  children,
  ...props
}: SelectHTMLAttributes<HTMLSelectElement> & { label: string; hint?: string; error?: string | null; children: ReactNode }) {
  const id = useId();
  const shown = error ?? hint;
  return (
    <div className={`field ${error ? "field-invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={shown ? `${id}-hint` : undefined} {...props}>
        {children}
      </select>
      {shown && (
        <div id={`${id}-hint`} className="field-hint">
          {shown}
        </div>
      )}
    </div>
  );
}

export function TextAreaField({
  label,
  hint,
  ...props
}: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} className="reg-textarea" aria-describedby={hint ? `${id}-hint` : undefined} {...props} />
      {hint && (
        <div id={`${id}-hint`} className="field-hint">
          {hint}
        </div>
      )}
    </div>
  );
}

export function CheckField({ label, ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string }) {
  return (
    <label className="reg-check">
      <input type="checkbox" {...props} />
      <span>{label}</span>
    </label>
  );
}

/** A text field whose error replaces its hint (TextField shows one line under the input). */
export function fieldHint(error: string | undefined, hint?: string): { hint?: string; error?: string | null } {
  return error ? { hint: error, error } : hint ? { hint } : {};
}

/** The last answers, shown at once when a row comes back (filters) while it is asked again. */
const conformityCache = new Map<number, Conformity>();

export type Conformity = { state: "loading" } | { state: "none" } | { state: "unknown" } | { state: "ready"; data: Schemas["ConformityOut"] };

/** The last recording's conformity (GET /api/cameras/{id}/conformity), for one row. */
export function useConformity(cameraId: number): Conformity {
  const [value, setValue] = useState<Conformity>(() => conformityCache.get(cameraId) ?? { state: "loading" });
  useEffect(() => {
    let live = true;
    void call(() => api.GET("/api/cameras/{camera_id}/conformity", { params: { path: { camera_id: cameraId } } })).then((r) => {
      const next: Conformity =
        "data" in r ? { state: "ready", data: r.data } : r.error.code === "no_recording" ? { state: "none" } : { state: "unknown" };
      conformityCache.set(cameraId, next);
      if (live) setValue(next);
    });
    return () => {
      live = false;
    };
  }, [cameraId]);
  return value;
}

