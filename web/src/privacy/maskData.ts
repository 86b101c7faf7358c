// The masks the overlays draw, fetched cheaply: a camera's current masks once per camera per
// console session (live), and for playback the version in force at the instant shown, asked
// with `GET /masks/at` only when the instant leaves the interval of the version last answered
// (its `effective_from` and the next version's, from the history read once per camera).
import { type RefObject, useEffect, useState } from "react";
import { api } from "../api/client";

export interface OverlayPolygon {
  name: string;
  points: readonly (readonly number[])[];
}

const current = new Map<number, Promise<OverlayPolygon[]>>();

async function fetchCurrent(cameraId: number): Promise<OverlayPolygon[]> {
  try {
    const { data } = await api.GET("/api/cameras/{camera_id}/masks", { params: { path: { camera_id: cameraId } } });
    return data?.current.polygons ?? [];
  } catch {
    return [];
  }
}

/** The camera's current polygons (cached: fetched once per camera). */
export function useCurrentMasks(cameraId: number): OverlayPolygon[] {
  const [polygons, setPolygons] = useState<OverlayPolygon[]>([]);
  useEffect(() => {
    let live = true;
    if (!current.has(cameraId)) current.set(cameraId, fetchCurrent(cameraId));
    void current.get(cameraId)!.then((p) => live && setPolygons(p));
    return () => {
      live = false;
    };
  }, [cameraId]);
  return polygons;
}

/** Instants (epoch ms) at which each version after version 0 took effect, ascending. */
const boundaries = new Map<number, Promise<number[]>>();

async function fetchBoundaries(cameraId: number): Promise<number[]> {
  try {
    const { data } = await api.GET("/api/cameras/{camera_id}/masks/history", { params: { path: { camera_id: cameraId } } });
    return (data?.versions ?? []).flatMap((v) => (v.effective_from ? [Date.parse(v.effective_from)] : [])).sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** The interval [from, to) of `bounds` that holds `at`. */
export function intervalOf(bounds: readonly number[], at: number): [number, number] {
  let from = Number.NEGATIVE_INFINITY;
  for (const b of bounds) {
    if (b > at) return [from, b];
    from = b;
  }
  return [from, Number.POSITIVE_INFINITY];
}

/** The polygons in force at the instant the video shows, checked on its time updates. */
export function useMasksAt(cameraId: number, videoRef: RefObject<HTMLVideoElement | null>, wallTime: () => number | null): OverlayPolygon[] {
  const [polygons, setPolygons] = useState<OverlayPolygon[]>([]);
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    if (!boundaries.has(cameraId)) boundaries.set(cameraId, fetchBoundaries(cameraId));
    let interval: [number, number] | null = null;
    let live = true;
    const check = () => {
      const at = wallTime();
      if (at === null) return;
      void boundaries.get(cameraId)!.then(async (bounds) => {
        if (!live || (interval && at >= interval[0] && at < interval[1])) return;
        interval = intervalOf(bounds, at);
        const { data } = await api
          .GET("/api/cameras/{camera_id}/masks/at", { params: { path: { camera_id: cameraId }, query: { at: new Date(at).toISOString() } } })
          .catch(() => ({ data: undefined }));
        if (live) setPolygons(data?.polygons ?? []);
      });
    };
    check();
    video.addEventListener("timeupdate", check);
    video.addEventListener("seeked", check);
    return () => {
      live = false;
      video.removeEventListener("timeupdate", check);
      video.removeEventListener("seeked", check);
    };
  }, [cameraId, videoRef, wallTime]);
  return polygons;
}
