// The typed API client: types generated from docs/openapi.json (npm run api), cookie session,
// and the session's CSRF token in the X-CSRF-Token header on every unsafe method.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Me = Schemas["MeOut"];
export type LoginOut = Schemas["LoginOut"];
export type ExportOut = Schemas["ExportOut"];

export interface ApiError {
  code: string;
  message: string;
  details: Record<string, unknown>;
  status: number;
}

const CSRF_KEY = "sentinelle.csrf";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

export const csrf = {
  get: (): string | null => localStorage.getItem(CSRF_KEY),
  set: (token: string): void => localStorage.setItem(CSRF_KEY, token),
  clear: (): void => localStorage.removeItem(CSRF_KEY),
};

type ExpiryListener = () => void;
const expiryListeners = new Set<ExpiryListener>();

/** Called when an authenticated call answers 401: the session is gone (expired or revoked). */
export function onSessionExpired(listener: ExpiryListener): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}

const PUBLIC_PATHS = ["/api/auth/login", "/api/auth/login/mfa", "/api/health"];

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    const token = csrf.get();
    if (token && !SAFE.has(request.method)) request.headers.set("X-CSRF-Token", token);
    return request;
  },
  onResponse({ request, response }) {
    const path = new URL(request.url).pathname;
    if (response.status === 401 && !PUBLIC_PATHS.includes(path)) {
      expiryListeners.forEach((listener) => listener());
    }
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  credentials: "same-origin",
  fetch: (request: Request) => globalThis.fetch(request), // looked up per call (tests stub it)
});
api.use(sessionMiddleware);

/** The `{code, message, details}` body every API failure carries, or a network/unknown error. */
export function asApiError(error: unknown, status: number): ApiError {
  if (error && typeof error === "object" && "code" in error) {
    const e = error as { code: unknown; message?: unknown; details?: unknown };
    return {
      code: String(e.code),
      message: typeof e.message === "string" ? e.message : "",
      details: (e.details as Record<string, unknown> | undefined) ?? {},
      status,
    };
  }
  return { code: status === 0 ? "network" : `http_${status}`, message: "", details: {}, status };
}

export function networkError(): ApiError {
  return { code: "network", message: "", details: {}, status: 0 };
}
