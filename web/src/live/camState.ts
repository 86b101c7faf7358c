// The state dot of a camera in the wall's list, in the map's terms and colours (map/geometry.ts
// cameraState, CameraPanel STATE_TONE): a camera awaiting its authorisation is amber on both,
// a lawful camera whose stream is not received is a fault, one received is recording.
import type { MessageKey } from "../i18n";
import { STATE_TONE } from "../map/CameraPanel";
import { cameraState, type CameraStatus } from "../map/geometry";
import type { LiveState } from "./Tile";

export interface ListDot {
  tone: "ok" | "error" | "muted" | "warn";
  label: MessageKey;
}

export function listDot(camera: { status?: CameraStatus; lawful?: boolean }, live: LiveState | null): ListDot {
  if (camera.status === undefined || camera.lawful === undefined) {
    return live ? { tone: live === "recording" ? "ok" : "muted", label: `wall.state.${live}` } : { tone: "muted", label: "wall.state.unknown" };
  }
  const needsStream = camera.status === "in_service" && camera.lawful;
  if (needsStream && live === null) return { tone: "muted", label: "wall.state.unknown" };
  const state = cameraState(camera.status, camera.lawful, live === null ? null : live === "recording");
  if (state === null) return { tone: "muted", label: "wall.state.out_of_service" };
  return { tone: STATE_TONE[state], label: `map.state.${state}` };
}
