// One tile of the wall: the live video, its overlay (code, name, clock, state) and its states.
import { useEffect, useRef, useState } from "react";
import type { Schemas } from "../api/client";
import { Badge } from "../components/ui";
import { t } from "../i18n";
import { formatSiteTime } from "../shell/Clock";
import { LiveMaskOverlay } from "../privacy/MaskOverlay";
import { site } from "../site";
import type { CameraStatus } from "../map/geometry";
import { LivePlayer, type PlayerState, type Stream } from "./player";

export type LiveState = Schemas["LiveState"];
export interface WallCamera {
  id: number;
  code: string;
  name: string;
  address: string;
  status?: CameraStatus; // the registry's, for the list's state dot (camState.ts)
  lawful?: boolean;
}

const NO_SIGNAL_AFTER_MS = 4000;

export const STATE_TONE: Record<LiveState, "ok" | "warn" | "error"> = {
  recording: "ok",
  no_signal: "warn",
  out_of_service: "error",
};

function useNow(periodMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), periodMs);
    return () => window.clearInterval(timer);
  }, [periodMs]);
  return now;
}

function refusalText(state: Extract<PlayerState, { kind: "refused" }>): string {
  if (state.status === 403) return t("wall.refused403");
  if (state.status === 404) return t("wall.refused404");
  if (state.status === 401) return t("wall.refused401");
  return t("wall.refusedOther", { code: state.code || String(state.status) });
}

export function Tile({
  index,
  camera,
  liveState,
  stream,
  reason,
  selected,
  maximised,
  onSelect,
  onRemove,
  onMaximise,
  onDropCamera,
  onDropTile,
}: {
  index: number;
  camera: WallCamera | null;
  liveState: LiveState | null;
  stream: Stream;
  reason: string | null; // null: not asked yet (an external viewer), do not open
  selected: boolean;
  maximised: boolean;
  onSelect: () => void;
  onRemove: () => void;
  onMaximise: () => void;
  onDropCamera: (cameraId: number) => void;
  onDropTile: (from: number) => void;
}) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [player, setPlayer] = useState<PlayerState>({ kind: "connecting" });
  const [lastFrame, setLastFrame] = useState(0);
  const lastFrameRef = useRef(0);
  const [dragOver, setDragOver] = useState(false);
  const now = useNow();
  const cameraId = camera?.id ?? null;

  useEffect(() => {
    const video = videoRef.current;
    if (cameraId === null || !video || reason === null) return;
    lastFrameRef.current = 0;
    setLastFrame(0);
    setPlayer({ kind: "connecting" });
    const p = new LivePlayer(video, {
      cameraId,
      stream,
      reason,
      onState: (s) => {
        setPlayer(s);
        if (s.kind === "playing") {
          lastFrameRef.current = Date.now();
          setLastFrame(lastFrameRef.current);
        }
      },
      onFrame: () => {
        lastFrameRef.current = Date.now();
      },
    });
    p.start();
    return () => p.stop();
  }, [cameraId, stream, reason]);

  // The frame clock is read once a second (not on every frame: no re-render per frame).
  useEffect(() => {
    setLastFrame(lastFrameRef.current);
  }, [now]);

  const { time, date } = formatSiteTime(new Date(now), site.timezone);
  const stale = player.kind === "playing" && (lastFrame === 0 || now - lastFrame > NO_SIGNAL_AFTER_MS);
  const noSignal = camera !== null && (player.kind === "waiting" || stale);
  const overlayState = camera === null ? "empty" : player.kind === "playing" && !stale ? "live" : player.kind;

  return (
    <div
      className={`wall-tile ${selected ? "is-selected" : ""} ${dragOver ? "is-dragover" : ""} ${maximised ? "is-max" : ""}`}
      role="gridcell"
      tabIndex={0}
      aria-label={camera ? `${t("wall.tile", { n: index + 1 })} — ${camera.code} ${camera.name}` : t("wall.tile", { n: index + 1 })}
      aria-selected={selected}
      data-testid={`tile-${index}`}
      data-camera={camera?.id ?? ""}
      data-state={noSignal ? "no_signal" : overlayState}
      draggable={camera !== null}
      onClick={onSelect}
      onDoubleClick={() => camera && onMaximise()}
      onKeyDown={(e) => {
        if (e.key === "Enter" && camera) {
          e.preventDefault();
          onMaximise();
        } else if ((e.key === "Delete" || e.key === "Backspace") && camera) {
          e.preventDefault();
          onRemove();
        }
      }}
      onDragStart={(e) => {
        e.dataTransfer.setData("application/x-sentinelle-tile", String(index));
        e.dataTransfer.effectAllowed = "move";
      }}
      onDragOver={(e) => {
        e.preventDefault();
        setDragOver(true);
      }}
      onDragLeave={() => setDragOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragOver(false);
        const cam = e.dataTransfer.getData("application/x-sentinelle-camera");
        const tile = e.dataTransfer.getData("application/x-sentinelle-tile");
        if (cam) onDropCamera(Number(cam));
        else if (tile) onDropTile(Number(tile));
      }}
    >
      <video ref={videoRef} className="wall-video" muted autoPlay playsInline disablePictureInPicture hidden={camera === null} />
      {cameraId !== null && <LiveMaskOverlay cameraId={cameraId} videoRef={videoRef} />}
      {camera === null ? (
        <div className="wall-empty">
          <span className="wall-empty-index">{index + 1}</span>
          <span className="wall-empty-title">{t("wall.tileEmpty")}</span>
          <span className="wall-empty-hint">{t("wall.tileEmptyHint")}</span>
        </div>
      ) : (
        <>
          <div className="wall-overlay-top">
            <span className="wall-cam-code">{camera.code}</span>
            <span className="wall-cam-name" title={camera.address}>
              {camera.name}
            </span>
            <span className="wall-spacer" />
            {liveState && <Badge tone={STATE_TONE[liveState]}>{t(`wall.state.${liveState}`)}</Badge>}
            <button
              type="button"
              className="wall-tile-btn"
              title={maximised ? t("wall.restore") : t("wall.maximise")}
              aria-label={maximised ? t("wall.restore") : t("wall.maximise")}
              onClick={(e) => {
                e.stopPropagation();
                onMaximise();
              }}
            >
              {maximised ? "⤡" : "⤢"}
            </button>
            <button
              type="button"
              className="wall-tile-btn"
              title={t("wall.remove")}
              aria-label={t("wall.remove")}
              onClick={(e) => {
                e.stopPropagation();
                onRemove();
              }}
            >
              ×
            </button>
          </div>
          {player.kind !== "refused" && player.kind !== "unsupported" && (
            <div className="wall-overlay-bottom">
              {overlayState === "live" && !noSignal && <span className="wall-live">{t("wall.live")}</span>}
              <span className="wall-stream">{t(`wall.stream.${stream}`)}</span>
              <span className="wall-spacer" />
              <span className="wall-clock" data-testid="tile-clock">
                {date} {time}
              </span>
            </div>
          )}
          {noSignal ? (
            <div className="wall-state wall-state-nosignal" role="status">
              <strong>{t("wall.noSignal")}</strong>
              <span>{t("wall.noSignalBody")}</span>
              {player.kind === "waiting" && (
                <span className="muted">{t("wall.reconnecting", { s: Math.round(player.retryInMs / 1000) })}</span>
              )}
            </div>
          ) : player.kind === "connecting" ? (
            <div className="wall-state" role="status">
              <span className="spinner" aria-hidden="true" />
              <span>{t("wall.connecting")}</span>
            </div>
          ) : player.kind === "refused" ? (
            <div className="wall-state wall-state-refused" role="alert">
              <strong>{t("wall.refusedTitle")}</strong>
              <span>{refusalText(player)}</span>
            </div>
          ) : player.kind === "unsupported" ? (
            <div className="wall-state wall-state-refused" role="alert">
              <span>{t("wall.unsupported", { codec: player.codec })}</span>
            </div>
          ) : null}
        </>
      )}
    </div>
  );
}
