// Talking to the API from the administration tabs: a call that answers its data or the API
// error (network failures included), a hook that loads with it and reloads on demand, and
// one that runs a dialog's action.
import { useCallback, useEffect, useState } from "react";
import { type ApiError, asApiError, networkError } from "../../api/client";

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

/** Load with `fetcher` now and whenever it changes; `reload` runs it again, keeping what is
 * shown meanwhile (an error gives way to the spinner). A 401 is left to the shell, which goes
 * back to the login page. */
export function useLoad<T>(fetcher: () => Promise<Result<T>>): [Load<T>, () => void] {
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

/** A dialog's action: `run(request, then)` is busy while the request runs, then keeps its API
 * error (shown by the dialog) or hands its data to `then`. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  async function run<T>(request: () => Promise<Result<T>>, then: (data: T) => void) {
    setBusy(true);
    const result = await request();
    setBusy(false);
    if ("error" in result) setError(result.error);
    else then(result.data);
  }
  return { busy, error, setError, run };
}
