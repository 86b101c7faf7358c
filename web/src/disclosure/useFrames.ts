// The review's source frames: fetched as JPEG blobs (the server decodes each on demand and says
// no-store, so the browser's cache cannot be relied on), kept as object URLs around the frame
// shown, the next ones fetched ahead; the last frame stays on screen while the next one loads.
import { useCallback, useEffect, useRef, useState } from "react";
import { api, type ApiError, asApiError, networkError } from "../api/client";

const AROUND = 16; // frames kept either side of the one shown
const MAX_INFLIGHT = 3;

export interface Frames {
  url: string | null; // the frame shown (or the previous one while it loads)
  loading: boolean;
  error: ApiError | null;
  ready: (frame: number) => boolean;
  tick: number; // changes whenever a frame arrives
}

export function useFrames(disclosureId: number, frame: number, frames: number, ahead: number, enabled: boolean): Frames {
  const cache = useRef(new Map<number, string>());
  const inflight = useRef(new Set<number>());
  const failed = useRef(new Set<number>()); // not asked again (the error is shown)
  const shown = useRef<string | null>(null);
  const [tick, setTick] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(
    async (n: number) => {
      if (n < 0 || n >= frames || cache.current.has(n) || inflight.current.has(n) || failed.current.has(n)) return;
      if (inflight.current.size >= MAX_INFLIGHT) return;
      inflight.current.add(n);
      try {
        const { data, error: failure, response } = await api.GET("/api/disclosures/{disclosure_id}/frames/{index}.jpg", {
          params: { path: { disclosure_id: disclosureId, index: n } },
          parseAs: "blob",
        });
        if (data instanceof Blob) {
          cache.current.set(n, URL.createObjectURL(data));
          setError(null);
        } else {
          failed.current.add(n);
          setError(asApiError(failure, response.status));
        }
      } catch {
        failed.current.add(n);
        setError(networkError());
      } finally {
        inflight.current.delete(n);
        setTick((k) => k + 1);
      }
    },
    [disclosureId, frames],
  );

  useEffect(() => {
    if (!enabled) return;
    void load(frame);
    for (let k = 1; k <= ahead; k += 1) void load(frame + k);
    for (const [n, url] of cache.current) {
      if (Math.abs(n - frame) > AROUND && url !== shown.current) {
        URL.revokeObjectURL(url);
        cache.current.delete(n);
      }
    }
  }, [enabled, frame, ahead, load, tick]);

  useEffect(
    () => () => {
      for (const url of cache.current.values()) URL.revokeObjectURL(url);
      cache.current.clear();
    },
    [],
  );

  const current = cache.current.get(frame) ?? null;
  if (current) shown.current = current;
  return {
    url: current ?? shown.current,
    loading: current === null,
    error,
    ready: (n: number) => cache.current.has(n),
    tick,
  };
}
