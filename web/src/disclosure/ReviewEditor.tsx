// The review of a disclosure in `review`: the frame with its boxes, the slider and play/pause,
// the preview, drawing manual regions, the decisions per track, the effect, saving the plan
// (PUT …/plan?version=, 409 when another agent saved meanwhile) and asking for the render.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, type ApiError, asApiError, networkError } from "../api/client";
import { describeError } from "../api/errors";
import { useToast } from "../components/toasts";
import { Alert, Spinner } from "../components/ui";
import { t } from "../i18n";
import { FrameStage } from "./FrameStage";
import {
  type Analysis,
  buildPlan,
  clampFrame,
  counts,
  type Disclosure,
  newRegion,
  type PlanInput,
  type Rect,
  type ReviewState,
  samePlan,
  setDecision,
  stateFromPlan,
  type Track,
} from "./review";
import { PlayBar, RenderDialog, SaveBar, ToolBar } from "./ReviewControls";
import { RegionList, TrackList } from "./TrackPanel";
import { useFrames } from "./useFrames";
import { useReviewKeys } from "./useReviewKeys";

type Load = { state: "loading" } | { state: "error"; error: ApiError } | { state: "ready"; analysis: Analysis };

/** `generation` changes when the plan was reloaded from the server: the decisions start again
 * from the stored plan (the frame shown and the frames fetched stay). */
export function ReviewEditor({
  row,
  generation,
  onRow,
  onReload,
}: {
  row: Disclosure;
  generation: number;
  onRow: (row: Disclosure) => void;
  onReload: () => void;
}) {
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
  return <Editor row={row} generation={generation} analysis={load.analysis} onRow={onRow} onReload={onReload} />;
}

function Editor({
  row,
  generation,
  analysis,
  onRow,
  onReload,
}: {
  row: Disclosure;
  generation: number;
  analysis: Analysis;
  onRow: (row: Disclosure) => void;
  onReload: () => void;
}) {
  const frames = analysis.frames;
  const fps = analysis.fps || row.fps || 10;
  const tracks = analysis.tracks;
  const [state, setState] = useState<ReviewState>(() => stateFromPlan(row.plan));
  const [frame, setFrame] = useState(0);
  const [selected, setSelected] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const [preview, setPreview] = useState(false);
  const [drawing, setDrawing] = useState(false);
  const [length, setLength] = useState(Math.max(1, Math.round(fps * 2)));
  const [renderOpen, setRenderOpen] = useState(false);
  const media = useFrames(row.id, frame, frames, playing ? 6 : 2, true);

  const plan = useMemo(() => buildPlan(state, tracks), [state, tracks]);
  const { saved, saving, error, save, reset } = usePlanSave(row, plan, tracks, onRow);
  const loaded = useRef(generation);
  useEffect(() => {
    if (loaded.current === generation) return;
    loaded.current = generation;
    setState(stateFromPlan(row.plan));
    reset(row.plan);
  }, [generation, row.plan, reset]);
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

  const decide = useCallback((id: number, decision: "hide" | "keep" | "dismiss") => setState((s) => setDecision(s, id, decision)), []);
  const addRegion = useCallback(
    (box: Rect) => setState((s) => ({ ...s, manual: [...s.manual, newRegion(s.manual, box, frame, length, frames)] })),
    [frame, length, frames],
  );

  const outdated = error?.code === "disclosure_plan_outdated";
  useReviewKeys((action) => {
    if (action.kind === "step") go(frame + action.by);
    else if (action.kind === "first") go(0);
    else if (action.kind === "last") go(frames - 1);
    else if (action.kind === "play") setPlaying((p) => !p);
    else if (action.kind === "preview") setPreview((p) => !p);
    else if (action.kind === "draw") setDrawing((d) => !d);
    else if (action.kind === "decide" && selected !== null) decide(selected, action.decision);
    else if (action.kind === "save" && !saving && !outdated && dirty) void save();
  });

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
        <SmallestPerson detector={analysis.detector} />
        <PlayBar playing={playing} frame={frame} frames={frames} fps={fps} loading={media.loading} onPlay={() => setPlaying((p) => !p)} onFrame={go} />
        <ToolBar
          preview={preview}
          drawing={drawing}
          effect={state.effect}
          onPreview={() => setPreview((p) => !p)}
          onDrawing={() => setDrawing((d) => !d)}
          onEffect={(effect) => setState((s) => ({ ...s, effect }))}
        />
        {drawing && <p className="dr-hint">{t("disclosure.review.drawHint")}</p>}
        <p className="dr-keys muted">{t("disclosure.review.keys")}</p>
      </section>
      <aside className="dr-side">
        <SaveBar
          row={row}
          summary={t("disclosure.review.summary", counts(tracks, state))}
          dirty={dirty}
          saving={saving}
          error={error}
          onSave={() => void save()}
          onReload={onReload}
          onRender={() => setRenderOpen(true)}
        />
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

/** Saving the plan from the version the edit started from; `saved` is the plan as stored. */
function usePlanSave(row: Disclosure, plan: PlanInput, tracks: readonly Track[], onRow: (row: Disclosure) => void) {
  const [saved, setSaved] = useState(() => (row.plan ? buildPlan(stateFromPlan(row.plan), tracks) : null));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const toast = useToast();
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
  const reset = useCallback(
    (stored: Disclosure["plan"]) => {
      setSaved(stored ? buildPlan(stateFromPlan(stored), tracks) : null);
      setError(null);
    },
    [tracks],
  );
  return { saved, saving, error, save, reset };
}

/** The detector's blind spot, said plainly: smaller figures must be hidden by hand. */
function SmallestPerson({ detector }: { detector: Record<string, unknown> }) {
  const share = detector["smallest_person_share"];
  if (typeof share !== "number" || share <= 0) return null;
  return <p className="dr-smallest">{t("disclosure.review.smallest", { pct: Math.round(share * 100) })}</p>;
}
