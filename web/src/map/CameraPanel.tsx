// The side panel of the camera chosen on the map: its identity, state since when, zone and
// authorisation, a live preview (sub stream) for those allowed to see live video, and the way
// to the wall and to playback.
import { useEffect, useRef, useState } from "react";
import type { Me, Schemas } from "../api/client";
import { Badge, Button, TextField } from "../components/ui";
import { t } from "../i18n";
import { LivePlayer, type PlayerState } from "../live/player";
import { canSee, SCREENS } from "../shell/nav";
import { navigate } from "../shell/router";
import { siteDateTime } from "../site";
import type { MapState } from "./geometry";
import type { Zone } from "./MapCanvas";

export type Camera = Schemas["CameraOut"];
export type Recording = Schemas["RecordingOut"];

export const STATE_TONE: Record<MapState, "ok" | "error" | "muted" | "warn"> = {
  recording: "ok",
  fault: "error",
  out_of_service: "muted",
  awaiting: "warn",
};

const GAPS = ["unreachable", "lost", "stalled", "end_of_stream", "storage"] as const;
type Gap = (typeof GAPS)[number];

function gapText(reason: string | null | undefined): string | null {
  return reason && (GAPS as readonly string[]).includes(reason) ? t(`map.gap.${reason as Gap}`) : null;
}

function refusal(state: Extract<PlayerState, { kind: "refused" }>): string {
  if (state.status === 403) return t("map.preview.refused403");
  if (state.status === 404) return t("map.preview.refused404");
  return t("map.preview.refusedOther", { code: state.code || String(state.status) });
}

/** The live preview: the sub stream through the same journalled grant as the wall. */
function Preview({ cameraId, reason }: { cameraId: number; reason: string }) {
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<PlayerState>({ kind: "connecting" });
  useEffect(() => {
    const element = video.current;
    if (!element) return;
    setState({ kind: "connecting" });
    const player = new LivePlayer(element, { cameraId, stream: "sub", reason, onState: setState });
    player.start();
    return () => player.stop();
  }, [cameraId, reason]);
  return (
    <div className="map-preview" data-testid="map-preview" data-state={state.kind}>
      <video ref={video} muted autoPlay playsInline disablePictureInPicture />
      {state.kind !== "playing" && (
        <div className={`map-preview-state ${state.kind === "refused" || state.kind === "unsupported" ? "is-error" : ""}`} role="status">
          {state.kind === "connecting" && (
            <>
              <span className="spinner" aria-hidden="true" />
              {t("map.preview.connecting")}
            </>
          )}
          {state.kind === "waiting" && t("map.preview.waiting", { s: Math.round(state.retryInMs / 1000) })}
          {state.kind === "refused" && t("map.preview.refused", { detail: refusal(state) })}
          {state.kind === "unsupported" && t("map.preview.unsupported", { codec: state.codec })}
        </div>
      )}
    </div>
  );
}

function ReasonForm({ onGiven }: { onGiven: (reason: string) => void }) {
  const [text, setText] = useState("");
  return (
    <form
      className="map-reason"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) onGiven(text.trim());
      }}
    >
      <TextField
        label={t("map.panel.reasonLabel")}
        hint={t("map.panel.reasonHint")}
        value={text}
        maxLength={500}
        onChange={(e) => setText(e.target.value)}
      />
      <Button type="submit" variant="primary" size="sm" disabled={!text.trim()}>
        {t("map.panel.reasonStart")}
      </Button>
    </form>
  );
}

function LiveSection({ me, camera, state, reason, onReason }: {
  me: Me;
  camera: Camera;
  state: MapState;
  reason: string | null;
  onReason: (reason: string) => void;
}) {
  let blocked: string | null = null;
  if (!me.permissions.includes("video.live")) blocked = t("map.panel.noLive");
  else if (!me.video_access) blocked = t("map.panel.noHabilitation");
  else if (!camera.lawful || state === "out_of_service" || state === "awaiting") blocked = t("map.panel.notLawful");
  return (
    <section className="map-panel-live" aria-label={t("map.panel.preview")}>
      <h3>{t("map.panel.preview")}</h3>
      {blocked ? (
        <p className="map-panel-note" data-testid="map-preview-blocked">
          {blocked}
        </p>
      ) : reason === null ? (
        <ReasonForm onGiven={onReason} />
      ) : (
        <Preview cameraId={camera.id} reason={reason} />
      )}
    </section>
  );
}

export function CameraPanel({
  me,
  camera,
  state,
  recording,
  zone,
  reason,
  onReason,
  onClose,
}: {
  me: Me;
  camera: Camera;
  state: MapState;
  recording: Recording | undefined;
  zone: Zone | undefined;
  reason: string | null; // null: an external viewer who has not given one yet
  onReason: (reason: string) => void;
  onClose: () => void;
}) {
  const since = state === "recording" || state === "fault" ? (recording?.since ?? camera.status_changed_at) : camera.status_changed_at;
  const gap = state === "fault" ? gapText(recording?.reason) : null;
  const wall = SCREENS.find((s) => s.id === "wall");
  const playback = SCREENS.find((s) => s.id === "playback");
  const placed = camera.latitude !== null && camera.longitude !== null;
  return (
    <aside className="map-panel" data-testid="map-panel" data-camera={camera.id} aria-label={t("map.panel.title")}>
      <header className="map-panel-head">
        <div className="map-panel-title">
          <span className="map-panel-code">{camera.code}</span>
          <span className="map-panel-name">{camera.name}</span>
        </div>
        <button type="button" className="icon-btn" aria-label={t("map.panel.close")} title={t("map.panel.close")} onClick={onClose}>
          ×
        </button>
      </header>
      <dl className="map-facts">
        <dt>{t("map.panel.state")}</dt>
        <dd>
          <Badge tone={STATE_TONE[state]}>{t(`map.state.${state}`)}</Badge>
          <span className="map-since">{t("map.panel.since", { at: siteDateTime(since) })}</span>
        </dd>
        {gap && (
          <>
            <dt>{t("map.panel.gap")}</dt>
            <dd>{gap}</dd>
          </>
        )}
        <dt>{t("map.panel.address")}</dt>
        <dd>{camera.address || "—"}</dd>
        <dt>{t("map.panel.zone")}</dt>
        <dd>{zone?.name ?? "—"}</dd>
        <dt>{t("map.panel.authorisation")}</dt>
        <dd>{t(`map.auth.${camera.authorisation_status}`, { reference: zone?.authorisation_reference ?? `#${camera.authorisation_id}` })}</dd>
        {camera.azimuth_deg !== null && camera.view_angle_deg !== null && (
          <>
            <dt>{t("map.panel.view")}</dt>
            <dd>
              {t("map.panel.viewValue", {
                azimuth: Math.round(camera.azimuth_deg),
                angle: Math.round(camera.view_angle_deg),
                range: Math.round(camera.view_range_m ?? 60),
              })}
            </dd>
          </>
        )}
      </dl>
      {!placed && <p className="map-panel-note">{t("map.notPlacedHint")}</p>}
      <LiveSection me={me} camera={camera} state={state} reason={reason} onReason={onReason} />
      <div className="map-panel-actions">
        {wall && canSee(wall, me) && (
          <Button variant="primary" size="sm" onClick={() => navigate(`/mur?camera=${camera.id}`)}>
            {t("map.panel.toWall")}
          </Button>
        )}
        {playback && canSee(playback, me) && (
          <Button size="sm" onClick={() => navigate(`/relecture?camera=${camera.id}`)}>
            {t("map.panel.playback")}
          </Button>
        )}
      </div>
    </aside>
  );
}
