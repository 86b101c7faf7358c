// The review's controls around the picture: the play bar (play/pause, frame slider, position),
// the tool bar (preview, drawing, effect, legend), the save bar (summary, dirty state, save,
// the outdated-plan warning, render) and the render dialog.
import { api, type ApiError, asApiError } from "../api/client";
import { describeError } from "../api/errors";
import { ReasonDialog } from "../components/ReasonDialog";
import { useToast } from "../components/toasts";
import { Alert, Button, Kbd } from "../components/ui";
import { t } from "../i18n";
import { formatDateTime } from "../pages/ExportsPage";
import { type Disclosure, type Effect, frameTime } from "./review";

const effectLabel = (effect: Effect) => t(effect === "blur" ? "disclosure.review.effect.blur" : "disclosure.review.effect.pixelate");

export function PlayBar({
  playing,
  frame,
  frames,
  fps,
  loading,
  onPlay,
  onFrame,
}: {
  playing: boolean;
  frame: number;
  frames: number;
  fps: number;
  loading: boolean;
  onPlay: () => void;
  onFrame: (frame: number) => void;
}) {
  return (
    <div className="dr-toolbar" role="toolbar" aria-label={t("disclosure.review.toolbar")}>
      <Button size="sm" variant="secondary" className="dr-play" onClick={onPlay} aria-label={playing ? t("disclosure.review.pause") : t("disclosure.review.play")}>
        {playing ? "❚❚" : "▶"}
      </Button>
      <input
        type="range"
        className="dr-slider"
        min={0}
        max={Math.max(frames - 1, 0)}
        value={frame}
        onChange={(e) => onFrame(Number(e.target.value))}
        aria-label={t("disclosure.review.slider")}
      />
      <span className="dr-position" data-testid="dr-position">
        {t("disclosure.review.position", { frame, last: frames - 1, time: frameTime(frame, fps) })}
        {loading && <span className="dr-loading" aria-label={t("disclosure.review.frameLoading")} />}
      </span>
    </div>
  );
}

export function ToolBar({
  preview,
  drawing,
  effect,
  onPreview,
  onDrawing,
  onEffect,
}: {
  preview: boolean;
  drawing: boolean;
  effect: Effect;
  onPreview: () => void;
  onDrawing: () => void;
  onEffect: (effect: Effect) => void;
}) {
  return (
    <div className="dr-toolbar dr-tools">
      <button type="button" className="dr-toggle" aria-pressed={preview} onClick={onPreview} title={t("disclosure.review.previewHint")}>
        {t("disclosure.review.preview")} <Kbd>P</Kbd>
      </button>
      <button type="button" className="dr-toggle" aria-pressed={drawing} onClick={onDrawing}>
        {t("disclosure.review.draw")} <Kbd>R</Kbd>
      </button>
      <div className="dr-effect" role="radiogroup" aria-label={t("disclosure.review.effect")}>
        <span className="field-label">{t("disclosure.review.effect")}</span>
        {(["blur", "pixelate"] as Effect[]).map((e) => (
          <button key={e} type="button" role="radio" aria-checked={effect === e} className="dr-toggle" onClick={() => onEffect(e)}>
            {effectLabel(e)}
          </button>
        ))}
      </div>
      <Legend />
    </div>
  );
}

export function SaveBar({
  row,
  summary,
  dirty,
  saving,
  error,
  onSave,
  onReload,
  onRender,
}: {
  row: Disclosure;
  summary: string;
  dirty: boolean;
  saving: boolean;
  error: ApiError | null;
  onSave: () => void;
  onReload: () => void;
  onRender: () => void;
}) {
  const outdated = error?.code === "disclosure_plan_outdated";
  return (
    <div className="dr-savebar">
      <div className="dr-summary">{summary}</div>
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
        <Button variant={dirty ? "primary" : "secondary"} disabled={saving || !dirty || outdated} onClick={onSave}>
          {saving ? t("disclosure.review.saving") : t("disclosure.review.save")} <Kbd>Ctrl+S</Kbd>
        </Button>
        <Button variant={dirty ? "secondary" : "primary"} disabled={dirty} title={dirty ? t("disclosure.review.renderNeedsSave") : undefined} onClick={onRender}>
          {t("disclosure.review.render")}
        </Button>
      </div>
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

export function RenderDialog({ open, row, effect, onClose, onRow }: { open: boolean; row: Disclosure; effect: Effect; onClose: () => void; onRow: (row: Disclosure) => void }) {
  const toast = useToast();
  async function submit(reason: string): Promise<ApiError | null> {
    const { data, error, response } = await api.POST("/api/disclosures/{disclosure_id}/render", {
      params: { path: { disclosure_id: row.id } },
      body: { reason },
    });
    if (!data) return asApiError(error, response.status);
    toast("success", t("disclosure.review.renderAsked"));
    onClose();
    onRow(data);
    return null;
  }
  return (
    <ReasonDialog
      open={open}
      title={t("disclosure.review.renderTitle")}
      body={<p>{t("disclosure.review.renderBody", { effect: effectLabel(effect).toLowerCase() })}</p>}
      reasonLabel={t("disclosure.review.renderReason")}
      confirmLabel={t("disclosure.review.renderConfirm")}
      closeLabel={t("disclosure.close")}
      onClose={onClose}
      onSubmit={submit}
    />
  );
}
