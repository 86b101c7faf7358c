// One camera's masks: the drawing surface, the polygon list, saving with a reason, the
// masking mode and latch, the history and the last audits.
import { type KeyboardEvent, useCallback, useEffect, useState } from "react";
import type { ApiError } from "../../api/client";
import { Alert, Badge, Button, ErrorState, Kbd, Spinner } from "../../components/ui";
import { useToast } from "../../components/toasts";
import { hasMessage, type MessageKey, t } from "../../i18n";
import type { Camera } from "../registry/registry";
import { TextAreaField, useLoad } from "../registry/shared";
import { MaskCanvas } from "./MaskCanvas";
import { changed, type CameraMasks, draftOf, explainMask, type Frame, loadFrame, loadMasks, saveMasks } from "./masks";
import { AuditPanel, HistoryPanel, LatchBanner, ModePanel, PolygonList } from "./Panels";
import { RawFrameToggle } from "./RawFrame";
import { type DraftPolygon, firstProblem, freeName, type Point, type PolygonProblem } from "./polygon";

export function MaskEditor({ camera, canWrite }: { camera: Camera; canWrite: boolean }) {
  const [load, reload] = useLoad(useCallback(() => loadMasks(camera.id), [camera.id]));
  const [frame, setFrame] = useState<Frame | null>(null);
  const [stamp, setStamp] = useState(0); // bumps the history and audits after a change
  useEffect(() => {
    if (!canWrite) return;
    let live = true;
    void loadFrame(camera.id).then((f) => live && setFrame(f));
    return () => {
      live = false;
    };
  }, [camera.id, canWrite]);
  const refresh = () => {
    reload();
    setStamp((s) => s + 1);
  };

  if (load.state === "loading" || (canWrite && !frame)) return <Spinner label={t("privacy.loading", { code: camera.code })} />;
  if (load.state === "error") return <ErrorState message={explainMask(load.error)} onRetry={reload} />;
  const shown: Frame = frame ?? { kind: "neutral", width: 1920, height: 1080, why: "" };
  return (
    <div className="mk-editor">
      <header className="mk-head">
        <div>
          <h2>
            {camera.code} — {camera.name}
          </h2>
          <p className="mk-muted">{camera.address}</p>
        </div>
        <div className="mk-head-badges">
          <Badge tone={load.data.effective_mode === "server" ? "info" : "muted"}>
            {t(load.data.effective_mode === "server" ? "privacy.mode.server" : "privacy.mode.camera")}
          </Badge>
          <Badge tone="muted">
            {load.data.current.version === 0 ? t("privacy.versionNone") : t("privacy.version", { version: load.data.current.version })}
          </Badge>
        </div>
      </header>
      {load.data.latch && !load.data.latch.confirmed_at && <LatchBanner camera={camera} masks={load.data} canWrite={canWrite} onDone={refresh} />}
      {load.data.problems.map((p) => (
        <Alert key={p.code} tone="warning">
          {hasMessage(`error.${p.code}`) ? t(`error.${p.code}` as MessageKey) : p.message}
        </Alert>
      ))}
      {canWrite && frame?.kind === "picture" && load.data.enforcement !== "camera_side" && (
        <RawFrameToggle cameraId={camera.id} frame={frame} onFrame={setFrame} />
      )}
      <Workbench key={load.data.current.version} camera={camera} masks={load.data} frame={shown} canWrite={canWrite} onSaved={refresh} />
      <div className="mk-columns">
        <ModePanel camera={camera} masks={load.data} canWrite={canWrite} onDone={refresh} />
        <AuditPanel camera={camera} stamp={stamp} />
      </div>
      <HistoryPanel camera={camera} stamp={stamp} />
    </div>
  );
}

function Workbench({
  camera,
  masks,
  frame,
  canWrite,
  onSaved,
}: {
  camera: Camera;
  masks: CameraMasks;
  frame: Frame;
  canWrite: boolean;
  onSaved: () => void;
}) {
  const toast = useToast();
  const [draft, setDraft] = useState<DraftPolygon[]>(() => draftOf(masks.current));
  const [selected, setSelected] = useState<number | null>(null);
  const [drawing, setDrawing] = useState<Point[] | null>(null);
  const [preview, setPreview] = useState(false);
  const [reason, setReason] = useState("");
  const [serverError, setServerError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const local = firstProblem(draft);
  const serverIndex = typeof serverError?.details["polygon"] === "number" ? (serverError.details["polygon"] as number) : null;
  const problem: PolygonProblem | null = serverError ? { code: serverError.code, polygon: serverIndex } : local;
  const dirty = changed(draft, masks.current);

  const edit = (next: DraftPolygon[]) => {
    setDraft(next);
    setServerError(null);
  };
  const close = (points: Point[]) => {
    if (points.length < 3) return;
    edit([...draft, { name: freeName(draft, t("privacy.polygon.defaultName")), points, fill: "opaque", ptz_preset: null }]);
    setSelected(draft.length);
    setDrawing(null);
  };
  const remove = (index: number) => {
    edit(draft.filter((_, i) => i !== index));
    setSelected(null);
  };
  const keys = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).closest("input, textarea, select")) return;
    if (e.key === "Escape") {
      if (drawing) setDrawing(null);
      else setSelected(null);
    } else if (e.key === "Enter" && drawing) {
      e.preventDefault();
      close(drawing);
    } else if ((e.key === "Delete" || e.key === "Backspace") && selected !== null && !drawing && canWrite) {
      e.preventDefault();
      remove(selected);
    }
  };
  const save = async () => {
    setBusy(true);
    const r = await saveMasks(camera.id, draft, reason.trim());
    setBusy(false);
    if ("error" in r) return setServerError(r.error);
    toast("success", t("privacy.save.done", { version: r.data.current.version }));
    onSaved();
  };
  const problemText = problem ? explainMask({ code: problem.code, message: "", details: {}, status: 422 }) : null;

  return (
    <div className="mk-work" onKeyDown={keys}>
      <div className="mk-canvas-col">
        <div className="mk-toolbar" role="toolbar" aria-label={t("privacy.toolbar")}>
          {canWrite && !drawing && (
            <Button variant="primary" size="sm" disabled={preview} onClick={() => (setDrawing([]), setSelected(null))}>
              {t("privacy.draw.start")}
            </Button>
          )}
          {drawing && (
            <>
              <Button variant="primary" size="sm" disabled={drawing.length < 3} onClick={() => close(drawing)}>
                {t("privacy.draw.finish")}
              </Button>
              <Button size="sm" onClick={() => setDrawing(null)}>
                {t("privacy.draw.cancel")}
              </Button>
            </>
          )}
          <label className="mk-toggle">
            <input type="checkbox" checked={preview} disabled={!!drawing} onChange={(e) => setPreview(e.target.checked)} />
            <span>{t("privacy.preview.toggle")}</span>
          </label>
          <span className="mk-hint">
            {drawing ? (
              <>
                {t("privacy.draw.hint")} <Kbd>Entrée</Kbd> {t("privacy.draw.hintClose")} <Kbd>Échap</Kbd> {t("privacy.draw.hintCancel")}
              </>
            ) : canWrite ? (
              <>
                {t("privacy.edit.hint")} <Kbd>Suppr</Kbd> {t("privacy.edit.hintDelete")}
              </>
            ) : (
              t("privacy.readOnly")
            )}
          </span>
        </div>
        <div className="mk-canvas-wrap" tabIndex={0} aria-label={t("privacy.canvas.focus")}>
          <MaskCanvas
            frame={frame}
            polygons={draft}
            selected={selected}
            faulty={problem?.polygon ?? null}
            drawing={drawing}
            preview={preview}
            readOnly={!canWrite}
            onDrawing={setDrawing}
            onChange={edit}
            onSelect={setSelected}
            onClose={close}
          />
        </div>
        {frame.kind === "neutral" && frame.why && (
          <Alert tone="info">
            <strong>{t("privacy.frame.neutralTitle")}</strong> {frame.why}
          </Alert>
        )}
        {preview && <p className="mk-muted">{t("privacy.preview.explain")}</p>}
      </div>
      <div className="mk-side">
        <PolygonList
          polygons={draft}
          selected={selected}
          problem={problem}
          problemText={problemText}
          ptz={masks.camera_kind === "ptz"}
          canWrite={canWrite}
          onSelect={setSelected}
          onChange={edit}
          onRemove={remove}
        />
        {problem && problem.polygon === null && <Alert tone="error">{problemText}</Alert>}
        {canWrite && (
          <div className="mk-save">
            <TextAreaField
              label={t("privacy.save.reason")}
              hint={t("privacy.save.reasonHint")}
              value={reason}
              rows={2}
              onChange={(e) => (setReason(e.target.value), setServerError(null))}
            />
            <div className="mk-save-actions">
              <Button disabled={!dirty || busy} onClick={() => (edit(draftOf(masks.current)), setSelected(null))}>
                {t("privacy.save.revert")}
              </Button>
              <Button variant="primary" disabled={!dirty || busy || !!local || !reason.trim()} onClick={() => void save()}>
                {busy ? t("privacy.save.saving") : t("privacy.save.submit")}
              </Button>
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
