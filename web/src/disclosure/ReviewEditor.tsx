// The review of a disclosure in `review`: the frame with its boxes, the slider and play/pause,
// the preview, drawing manual regions, the decisions per track, the effect, saving the plan
// (PUT …/plan?version=, 409 when another agent saved meanwhile) and asking for the render.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, type ApiError, asApiError, networkError } from "../api/client";
import { describeError } from "../api/errors";
import { useToast } from "../components/toasts";
import { Alert, Button, Dialog, Kbd, Spinner, TextField } from "../components/ui";
import { t } from "../i18n";
import { formatDateTime } from "../pages/ExportsPage";
import { FrameStage } from "./FrameStage";
import {
  type Analysis,
  buildPlan,
  clampFrame,
  counts,
  type Disclosure,
  type Effect,
  frameTime,
  keyAction,
  newRegion,
  type Rect,
  type ReviewState,
  samePlan,
  setDecision,
  stateFromPlan,
} from "./review";
import { RegionList, TrackList } from "./TrackPanel";
import { useFrames } from "./useFrames";
import { isTyping } from "../shell/shortcuts";

type Load = { state: "loading" } | { state: "error"; error: ApiError } | { state: "ready"; analysis: Analysis };

export function ReviewEditor({ row, onRow, onReload }: { row: Disclosure; onRow: (row: Disclosure) => void; onReload: () => void }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const { data, error, response } = await api.GET("/api/disclosures/{disclosure_id}/analysis", {
          params: { path: { disclosure_id: row.id } },
        });
        if (!live) return;
        setLoad(data ? { state: "ready", analysis: data } : { state: "error", error: asApiError(error, response.status) });
      } catch {
        if (live) setLoad({ state: "error", error: networkError() });
      }
    })();
    return () => {
      live = false;
    };
  }, [row.id]);
  if (load.state === "loading") return <Spinner label={t("disclosure.review.loading")} />;
  if (load.state === "error") return <Alert tone="error">{describeError(load.error)}</Alert>;
  return <Editor row={row} analysis={load.analysis} onRow={onRow} onReload={onReload} />;
}

function Editor({ row, analysis, onRow, onReload }: { row: Disclosure; analysis: Analysis; onRow: (row: Disclosure) => void; onReload: () => void }) {
  const frames = analysis.frames;
  const fps = analysis.fps || row.fps || 10;
  const tracks = analysis.tracks;
  const [state, setState] = useState<ReviewState>(() => stateFromPlan(row.plan));
  const [saved, setSaved] = useState(() => (row.plan ? buildPlan(stateFromPlan(row.plan), tracks) : null));
  const [frame, setFrame] = useState(0);
  const [selected, setSelected] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const [preview, setPreview] = useState(false);
  const [drawing, setDrawing] = useState(false);
  const [length, setLength] = useState(Math.max(1, Math.round(fps * 2)));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [renderOpen, setRenderOpen] = useState(false);
  const toast = useToast();
  const media = useFrames(row.id, frame, frames, playing ? 6 : 2, true);

  const plan = useMemo(() => buildPlan(state, tracks), [state, tracks]);
  const dirty = saved === null || !samePlan(plan, saved);
  const go = useCallback((n: number) => setFrame(clampFrame(n, frames)), [frames]);

  // Play: the next frame once it is there, at the clip's rate at most.
  useEffect(() => {
    if (!playing) return;
    if (frame >= frames - 1) return setPlaying(false);
    const timer = window.setTimeout(() => {
      if (media.ready(frame + 1)) setFrame(frame + 1);
    }, 1000 / fps);
    return () => window.clearTimeout(timer);
  }, [playing, frame, frames, fps, media, media.tick]);

  const save = useCallback(async () => {
    setSaving(true);
    setError(null);
    try {
      const { data, error: failure, response } = await api.PUT("/api/disclosures/{disclosure_id}/plan", {
        params: { path: { disclosure_id: row.id }, query: { version: row.plan_version } },
        body: plan,
      });
      if (data) {
        setSaved(buildPlan(stateFromPlan(data.plan), tracks));
        onRow(data);
        toast("success", t("disclosure.review.saved", { version: data.plan_version }));
      } else setError(asApiError(failure, response.status));
    } catch {
      setError(networkError());
    } finally {
      setSaving(false);
    }
  }, [row.id, row.plan_version, plan, tracks, onRow, toast]);

  const decide = useCallback((id: number, decision: "hide" | "keep" | "dismiss") => setState((s) => setDecision(s, id, decision)), []);
  const addRegion = useCallback(
    (box: Rect) => setState((s) => ({ ...s, manual: [...s.manual, newRegion(s.manual, box, frame, length, frames)] })),
    [frame, length, frames],
  );

  const lastKey = useRef({ key: "", at: 0 });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const previous = lastKey.current;
      lastKey.current = { key: e.key, at: Date.now() };
      if (document.querySelector("dialog[open]")) return;
      const action = keyAction(e);
      if (!action || (action.kind !== "save" && isTyping(e.target))) return;
      if (previous.key === "g" && Date.now() - previous.at < 1500) return; // the shell's "g x"
      e.preventDefault();
      if (action.kind === "step") go(frame + action.by);
      else if (action.kind === "first") go(0);
      else if (action.kind === "last") go(frames - 1);
      else if (action.kind === "play") setPlaying((p) => !p);
      else if (action.kind === "preview") setPreview((p) => !p);
      else if (action.kind === "draw") setDrawing((d) => !d);
      else if (action.kind === "decide" && selected !== null) decide(selected, action.decision);
      else if (action.kind === "save" && !saving) void save();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [go, frame, frames, selected, decide, save, saving]);

  const outdated = error?.code === "disclosure_plan_outdated";
  const summary = counts(tracks, state);
  return (
    <div className="dr-review">
      <section className="dr-main" aria-label={t("disclosure.review.stage")}>
        <FrameStage
          url={media.url}
          width={analysis.width}
          height={analysis.height}
          frame={frame}
          tracks={tracks}
          state={state}
          selected={selected}
          preview={preview}
          drawing={drawing}
          onSelect={setSelected}
          onRegion={(box) => {
            addRegion(box);
            setDrawing(false);
          }}
        />
        {media.error && <Alert tone="error">{t("disclosure.review.frameError", { message: describeError(media.error) })}</Alert>}
        <div className="dr-toolbar" role="toolbar" aria-label={t("disclosure.review.toolbar")}>
          <Button size="sm" variant="secondary" className="dr-play" onClick={() => setPlaying((p) => !p)} aria-label={playing ? t("disclosure.review.pause") : t("disclosure.review.play")}>
            {playing ? "❚❚" : "▶"}
          </Button>
          <input
            type="range"
            className="dr-slider"
            min={0}
            max={Math.max(frames - 1, 0)}
            value={frame}
            onChange={(e) => go(Number(e.target.value))}
            aria-label={t("disclosure.review.slider")}
          />
          <span className="dr-position" data-testid="dr-position">
            {t("disclosure.review.position", { frame, last: frames - 1, time: frameTime(frame, fps) })}
            {media.loading && <span className="dr-loading" aria-label={t("disclosure.review.frameLoading")} />}
          </span>
        </div>
        <div className="dr-toolbar dr-tools">
          <button type="button" className="dr-toggle" aria-pressed={preview} onClick={() => setPreview((p) => !p)} title={t("disclosure.review.previewHint")}>
            {t("disclosure.review.preview")} <Kbd>P</Kbd>
          </button>
          <button type="button" className="dr-toggle" aria-pressed={drawing} onClick={() => setDrawing((d) => !d)}>
            {t("disclosure.review.draw")} <Kbd>R</Kbd>
          </button>
          <div className="dr-effect" role="radiogroup" aria-label={t("disclosure.review.effect")}>
            <span className="field-label">{t("disclosure.review.effect")}</span>
            {(["blur", "pixelate"] as Effect[]).map((effect) => (
              <button key={effect} type="button" role="radio" aria-checked={state.effect === effect} className="dr-toggle" onClick={() => setState((s) => ({ ...s, effect }))}>
                {t(effect === "blur" ? "disclosure.review.effect.blur" : "disclosure.review.effect.pixelate")}
              </button>
            ))}
          </div>
          <Legend />
        </div>
        {drawing && <p className="dr-hint">{t("disclosure.review.drawHint")}</p>}
        <p className="dr-keys muted">{t("disclosure.review.keys")}</p>
      </section>
      <aside className="dr-side">
        <div className="dr-savebar">
          <div className="dr-summary">{t("disclosure.review.summary", summary)}</div>
          <div className={`dr-dirty ${dirty ? "dr-dirty-on" : ""}`} data-testid="dr-dirty">
            {dirty ? t("disclosure.review.dirty") : t("disclosure.review.clean")}
            {!dirty && row.plan_saved_at && (
              <span className="muted"> · {t("disclosure.review.savedBy", { who: row.plan_saved_by, when: formatDateTime(row.plan_saved_at) })}</span>
            )}
          </div>
          {error && !outdated && <Alert tone="error">{describeError(error)}</Alert>}
          {outdated && (
            <Alert tone="warning">
              {t("disclosure.review.outdated")}{" "}
              <Button size="sm" onClick={onReload}>
                {t("disclosure.review.reload")}
              </Button>
            </Alert>
          )}
          <div className="dr-savebar-actions">
            <Button variant={dirty ? "primary" : "secondary"} disabled={saving || !dirty} onClick={() => void save()}>
              {saving ? t("disclosure.review.saving") : t("disclosure.review.save")} <Kbd>Ctrl+S</Kbd>
            </Button>
            <Button variant={dirty ? "secondary" : "primary"} disabled={dirty} title={dirty ? t("disclosure.review.renderNeedsSave") : undefined} onClick={() => setRenderOpen(true)}>
              {t("disclosure.review.render")}
            </Button>
          </div>
        </div>
        <h2 className="dr-side-title">{t("disclosure.review.tracks")}</h2>
        <TrackList tracks={tracks} state={state} frame={frame} fps={fps} selected={selected} onSelect={setSelected} onDecide={decide} onJump={go} />
        <h2 className="dr-side-title">{t("disclosure.review.regions")}</h2>
        <RegionList
          regions={state.manual}
          frames={frames}
          length={length}
          onLength={setLength}
          onChange={(region) => setState((s) => ({ ...s, manual: s.manual.map((r) => (r.id === region.id ? region : r)) }))}
          onDelete={(id) => setState((s) => ({ ...s, manual: s.manual.filter((r) => r.id !== id) }))}
          onJump={go}
        />
      </aside>
      <RenderDialog open={renderOpen} row={row} effect={state.effect} onClose={() => setRenderOpen(false)} onRow={onRow} />
    </div>
  );
}

function Legend() {
  const items = [
    ["hide", "disclosure.review.legend.hide"],
    ["keep", "disclosure.review.legend.keep"],
    ["dismiss", "disclosure.review.legend.dismiss"],
    ["manual", "disclosure.review.legend.manual"],
    ["interpolated", "disclosure.review.legend.interpolated"],
  ] as const;
  return (
    <ul className="dr-legend" aria-label={t("disclosure.review.legend")}>
      {items.map(([kind, label]) => (
        <li key={kind}>
          <span className={`dr-swatch dr-swatch-${kind}`} aria-hidden="true" />
          {t(label)}
        </li>
      ))}
    </ul>
  );
}

function RenderDialog({ open, row, effect, onClose, onRow }: { open: boolean; row: Disclosure; effect: Effect; onClose: () => void; onRow: (row: Disclosure) => void }) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  useEffect(() => {
    setReason("");
    setError(null);
  }, [open]);

  async function confirm() {
    setBusy(true);
    try {
      const { data, error: failure, response } = await api.POST("/api/disclosures/{disclosure_id}/render", {
        params: { path: { disclosure_id: row.id } },
        body: { reason: reason.trim() },
      });
      if (data) {
        toast("success", t("disclosure.review.renderAsked"));
        onClose();
        onRow(data);
      } else setError(asApiError(failure, response.status));
    } catch {
      setError(networkError());
    } finally {
      setBusy(false);
    }
  }

  const effectLabel = t(effect === "blur" ? "disclosure.review.effect.blur" : "disclosure.review.effect.pixelate").toLowerCase();
  return (
    <Dialog
      open={open}
      title={t("disclosure.review.renderTitle")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("disclosure.close")}</Button>
          <Button variant="primary" disabled={busy || reason.trim() === ""} onClick={() => void confirm()}>
            {t("disclosure.review.renderConfirm")}
          </Button>
        </>
      }
    >
      <p>{t("disclosure.review.renderBody", { effect: effectLabel })}</p>
      {error && <Alert tone="error">{describeError(error)}</Alert>}
      <TextField label={t("disclosure.review.renderReason")} value={reason} onChange={(e) => setReason(e.target.value)} autoFocus required />
    </Dialog>
  );
}
