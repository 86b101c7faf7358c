// The mask editor's calls to the privacy API and the French wording of its answers: a camera's
// masks, its history and audits, the reference picture (or why a neutral frame stands in), and
// the summary of what a version changed.
import { api, type ApiError } from "../../api/client";
import { describeError } from "../../api/errors";
import { hasMessage, t } from "../../i18n";
import { call, type Result } from "../registry/shared";
import type { DraftPolygon } from "./polygon";

type DataOf<F extends (...a: never[]) => Promise<Result<unknown>>> = Extract<Awaited<ReturnType<F>>, { data: unknown }>["data"];
export type CameraMasks = DataOf<typeof loadMasks>;
export type MaskVersion = CameraMasks["current"];
export type MaskHistory = DataOf<typeof loadHistory>;
export type MaskAudits = DataOf<typeof loadAudits>;

/** The picture drawn on: the camera's own keyframe, or a neutral frame and why. */
export type Frame =
  | { kind: "picture"; src: string; width: number; height: number; masked: boolean }
  | { kind: "neutral"; width: number; height: number; why: string };

export const NEUTRAL_SIZE = { width: 1920, height: 1080 };

export const loadMasks = (id: number) =>
  call(() => api.GET("/api/cameras/{camera_id}/masks", { params: { path: { camera_id: id } } }));

export const loadHistory = (id: number) =>
  call(() => api.GET("/api/cameras/{camera_id}/masks/history", { params: { path: { camera_id: id } } }));

export const loadAudits = (id: number) =>
  call(() =>
    api.GET("/api/cameras/{camera_id}/masks/audits", { params: { path: { camera_id: id }, query: { limit: 5 } } }),
  );

/** The reference picture, with the masks in force burnt in unless `rawReason` asks for it raw
 * (journalled with that reason); a refusal or a dead camera gives the neutral frame and why. */
export async function loadFrame(id: number, rawReason?: string): Promise<Frame> {
  const body = rawReason ? { raw: true, reason: rawReason } : null;
  const r = await call(() => api.POST("/api/cameras/{camera_id}/masks/reference", { params: { path: { camera_id: id } }, body }));
  if ("data" in r && r.data.available && r.data.jpeg_base64 && r.data.width && r.data.height) {
    const { jpeg_base64, width, height } = r.data;
    return { kind: "picture", src: `data:image/jpeg;base64,${jpeg_base64}`, width, height, masked: r.data.masked ?? false };
  }
  const error: ApiError =
    "error" in r ? r.error : { code: r.data.reason ?? "unknown", message: "", details: {}, status: 200 };
  const size = await call(() => api.GET("/api/cameras/{camera_id}/conformity", { params: { path: { camera_id: id } } }));
  const known = "data" in size && size.data.width > 0 && size.data.height > 0;
  const { width, height } = known ? size.data : NEUTRAL_SIZE;
  const format = known ? t("privacy.frame.sizeKnown", { width, height }) : t("privacy.frame.sizeUnknown");
  return { kind: "neutral", width, height, why: `${frameWhy(error)} ${format}` };
}

function frameWhy(error: ApiError): string {
  const key = `privacy.frame.why.${error.code}`;
  return hasMessage(key) ? t(key) : t("privacy.frame.why.other", { reason: describeError(error) });
}

export function saveMasks(id: number, polygons: DraftPolygon[], reason: string) {
  const body = {
    reason,
    polygons: polygons.map((p) => ({
      name: p.name.trim(),
      points: p.points,
      fill: p.fill,
      ptz_preset: p.ptz_preset?.trim() ? p.ptz_preset.trim() : null,
    })),
  };
  return call(() => api.PUT("/api/cameras/{camera_id}/masks", { params: { path: { camera_id: id } }, body }));
}

export const saveMode = (id: number, mode: "camera" | "server", reason: string) =>
  call(() => api.PUT("/api/cameras/{camera_id}/masks/mode", { params: { path: { camera_id: id } }, body: { mode, reason } }));

export const confirmFixed = (id: number, reason: string) =>
  call(() =>
    api.POST("/api/cameras/{camera_id}/masks/confirm-fixed", { params: { path: { camera_id: id } }, body: { reason } }),
  );

/** The editable copy of a stored version. */
export function draftOf(version: MaskVersion): DraftPolygon[] {
  return version.polygons.map((p) => ({
    name: p.name,
    points: p.points.map(([x, y]) => [x, y] as [number, number]),
    fill: p.fill,
    ptz_preset: p.ptz_preset,
  }));
}

/** Whether the draft differs from the stored polygons. */
export function changed(draft: DraftPolygon[], stored: MaskVersion): boolean {
  const norm = (ps: DraftPolygon[]) => JSON.stringify(ps.map((p) => [p.name.trim(), p.points, p.fill, p.ptz_preset || null]));
  return norm(draft) !== norm(draftOf(stored));
}

/** What a version changed compared with the one before it, in French. */
export function summary(version: MaskVersion, before: MaskVersion | undefined): string {
  const names = (v: MaskVersion | undefined) => new Set(v?.polygons.map((p) => p.name) ?? []);
  const now = names(version);
  const then = names(before);
  const added = [...now].filter((n) => !then.has(n));
  const removed = [...then].filter((n) => !now.has(n));
  const parts: string[] = [];
  if (added.length) parts.push(t("privacy.history.added", { names: added.join(", ") }));
  if (removed.length) parts.push(t("privacy.history.removed", { names: removed.join(", ") }));
  if (before && before.mode !== version.mode) parts.push(t("privacy.history.modeTo", { mode: modeLabel(version.mode) }));
  if (!parts.length && before) parts.push(t("privacy.history.reshaped"));
  parts.push(t("privacy.history.count", { count: version.polygons.length }));
  return parts.join(" · ");
}

export const modeLabel = (mode: string): string => (mode === "server" ? t("privacy.mode.server") : t("privacy.mode.camera"));

/** An API error in French: the mask codes' texts (error.<code>), else the shared wording. */
export const explainMask = (error: ApiError): string => describeError(error);
