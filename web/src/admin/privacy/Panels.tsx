// The panels beside and under the mask editor's picture: the polygon list (name, fill, PTZ
// preset), the masking mode, the latch of a failed audit, the history and the last audits.
import { useCallback, useState } from "react";
import { Alert, Badge, Button, Spinner, TextField } from "../../components/ui";
import { useToast } from "../../components/toasts";
import { t } from "../../i18n";
import { siteDateTime } from "../../site";
import type { Camera } from "../registry/registry";
import { SelectField, TextAreaField, useLoad } from "../registry/shared";
import { type CameraMasks, confirmFixed, explainMask, loadAudits, loadHistory, modeLabel, saveMode, summary } from "./masks";
import type { DraftPolygon, PolygonProblem } from "./polygon";

export function PolygonList({
  polygons,
  selected,
  problem,
  problemText,
  ptz,
  canWrite,
  onSelect,
  onChange,
  onRemove,
}: {
  polygons: DraftPolygon[];
  selected: number | null;
  problem: PolygonProblem | null;
  problemText: string | null;
  ptz: boolean;
  canWrite: boolean;
  onSelect: (i: number) => void;
  onChange: (p: DraftPolygon[]) => void;
  onRemove: (i: number) => void;
}) {
  const set = (i: number, patch: Partial<DraftPolygon>) => onChange(polygons.map((p, k) => (k === i ? { ...p, ...patch } : p)));
  return (
    <section className="mk-panel" aria-label={t("privacy.list.title")}>
      <h3>
        {t("privacy.list.title")} <span className="mk-muted">({polygons.length})</span>
      </h3>
      {polygons.length === 0 && <p className="mk-muted">{t(canWrite ? "privacy.list.empty" : "privacy.list.emptyRead")}</p>}
      <ol className="mk-polys">
        {polygons.map((p, i) => (
          <li
            key={i}
            className={`mk-poly-item${i === selected ? " mk-poly-item-selected" : ""}${problem?.polygon === i ? " mk-poly-item-faulty" : ""}`}
            onFocus={() => onSelect(i)}
            onClick={() => onSelect(i)}
            data-testid="mask-item"
          >
            <div className="mk-poly-row">
              <TextField
                label={t("privacy.polygon.name")}
                value={p.name}
                required
                maxLength={200}
                disabled={!canWrite}
                onChange={(e) => set(i, { name: e.target.value })}
              />
              <SelectField
                label={t("privacy.polygon.fill")}
                value={p.fill}
                disabled={!canWrite}
                onChange={(e) => set(i, { fill: e.target.value as DraftPolygon["fill"] })}
              >
                <option value="opaque">{t("privacy.fill.opaque")}</option>
                <option value="pixelate">{t("privacy.fill.pixelate")}</option>
              </SelectField>
            </div>
            {ptz && (
              <TextField
                label={t("privacy.polygon.preset")}
                hint={t("privacy.polygon.presetHint")}
                value={p.ptz_preset ?? ""}
                maxLength={64}
                disabled={!canWrite}
                onChange={(e) => set(i, { ptz_preset: e.target.value || null })}
              />
            )}
            <div className="mk-poly-foot">
              <span className="mk-muted">{t("privacy.polygon.points", { count: p.points.length })}</span>
              {canWrite && (
                <Button size="sm" variant="ghost" onClick={(e) => (e.stopPropagation(), onRemove(i))}>
                  {t("privacy.polygon.delete")}
                </Button>
              )}
            </div>
            {problem?.polygon === i && (
              <p className="mk-problem" role="alert">
                {problemText}
              </p>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function ModePanel({ camera, masks, canWrite, onDone }: { camera: Camera; masks: CameraMasks; canWrite: boolean; onDone: () => void }) {
  const toast = useToast();
  const [mode, setMode] = useState<"camera" | "server">(masks.current.mode);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const r = await saveMode(camera.id, mode, reason.trim());
    if ("error" in r) return setError(explainMask(r.error));
    toast("success", t("privacy.mode.done", { mode: modeLabel(mode) }));
    onDone();
  };
  return (
    <section className="mk-panel" aria-label={t("privacy.mode.title")}>
      <h3>{t("privacy.mode.title")}</h3>
      <dl className="mk-facts">
        <dt>{t("privacy.mode.chosen")}</dt>
        <dd>{modeLabel(masks.current.mode)}</dd>
        <dt>{t("privacy.mode.effective")}</dt>
        <dd>{modeLabel(masks.effective_mode)}</dd>
        <dt>{t("privacy.mode.enforcement")}</dt>
        <dd>{t(`privacy.enforcement.${masks.enforcement}`)}</dd>
      </dl>
      {masks.camera_kind === "ptz" && <p className="mk-muted">{t("privacy.mode.ptzRule")}</p>}
      {canWrite && (
        <>
          <SelectField label={t("privacy.mode.choose")} value={mode} onChange={(e) => (setMode(e.target.value as "camera" | "server"), setError(null))}>
            <option value="camera">{t("privacy.mode.camera")}</option>
            <option value="server">{t("privacy.mode.server")}</option>
          </SelectField>
          <TextAreaField label={t("privacy.save.reason")} value={reason} rows={2} onChange={(e) => (setReason(e.target.value), setError(null))} />
          {error && <Alert tone="error">{error}</Alert>}
          <Button disabled={mode === masks.current.mode || !reason.trim()} onClick={() => void submit()}>
            {t("privacy.mode.submit")}
          </Button>
        </>
      )}
    </section>
  );
}

export function LatchBanner({ camera, masks, canWrite, onDone }: { camera: Camera; masks: CameraMasks; canWrite: boolean; onDone: () => void }) {
  const toast = useToast();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const latch = masks.latch!;
  const submit = async () => {
    const r = await confirmFixed(camera.id, reason.trim());
    if ("error" in r) return setError(explainMask(r.error));
    toast("success", t("privacy.latch.done"));
    onDone();
  };
  return (
    <div className="mk-latch" role="alert">
      <strong>{t("privacy.latch.title")}</strong>
      <p>{t("privacy.latch.body", { at: siteDateTime(latch.forced_at), by: latch.forced_by, reason: latch.reason })}</p>
      {canWrite && (
        <div className="mk-latch-form">
          <TextAreaField label={t("privacy.latch.reason")} value={reason} rows={2} onChange={(e) => (setReason(e.target.value), setError(null))} />
          {error && <Alert tone="error">{error}</Alert>}
          <Button variant="primary" disabled={!reason.trim()} onClick={() => void submit()}>
            {t("privacy.latch.confirm")}
          </Button>
        </div>
      )}
    </div>
  );
}

export function HistoryPanel({ camera, stamp }: { camera: Camera; stamp: number }) {
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `stamp` asks again after a change
  const [load] = useLoad(useCallback(() => loadHistory(camera.id), [camera.id, stamp]));
  return (
    <section className="mk-panel" aria-label={t("privacy.history.title")}>
      <h3>{t("privacy.history.title")}</h3>
      {load.state === "loading" && <Spinner label={t("privacy.history.loading")} />}
      {load.state === "error" && <Alert tone="error">{explainMask(load.error)}</Alert>}
      {load.state === "ready" && load.data.versions.length === 0 && <p className="mk-muted">{t("privacy.history.empty")}</p>}
      {load.state === "ready" && load.data.versions.length > 0 && (
        <table className="mk-table" data-testid="mask-history">
          <thead>
            <tr>
              <th>{t("privacy.history.version")}</th>
              <th>{t("privacy.history.when")}</th>
              <th>{t("privacy.history.who")}</th>
              <th>{t("privacy.history.why")}</th>
              <th>{t("privacy.history.what")}</th>
            </tr>
          </thead>
          <tbody>
            {load.data.versions.map((v, k) => (
              <tr key={v.version}>
                <td className="mk-mono">v{v.version}</td>
                <td>{v.created_at ? siteDateTime(v.created_at) : "—"}</td>
                <td>{v.created_by}</td>
                <td>{v.reason}</td>
                <td>{summary(v, load.data.versions[k + 1])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const VERDICT_TONE = { pass: "ok", fail: "error", inconclusive: "warn" } as const;

export function AuditPanel({ camera, stamp }: { camera: Camera; stamp: number }) {
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `stamp` asks again after a change
  const [load] = useLoad(useCallback(() => loadAudits(camera.id), [camera.id, stamp]));
  return (
    <section className="mk-panel" aria-label={t("privacy.audit.title")}>
      <h3>{t("privacy.audit.title")}</h3>
      {load.state === "loading" && <Spinner label={t("privacy.audit.loading")} />}
      {load.state === "error" && <Alert tone="error">{explainMask(load.error)}</Alert>}
      {load.state === "ready" && load.data.audits.length === 0 && <p className="mk-muted">{t("privacy.audit.empty")}</p>}
      {load.state === "ready" &&
        load.data.audits.slice(0, 3).map((a) => (
          <div key={a.id} className="mk-audit">
            <div className="mk-audit-head">
              <Badge tone={VERDICT_TONE[a.verdict]}>{t(`privacy.verdict.${a.verdict}`)}</Badge>
              <span>{siteDateTime(a.at)}</span>
              <span className="mk-muted">{t("privacy.audit.version", { version: a.mask_version })}</span>
              <span className="mk-muted">{t(a.stream === "sub" ? "privacy.audit.stream.sub" : "privacy.audit.stream.main")}</span>
            </div>
            <ul>
              {auditPolygons(a.details).map((p) => (
                <li key={p.name}>
                  <Badge tone={VERDICT_TONE[p.verdict]}>{t(`privacy.verdict.${p.verdict}`)}</Badge> {p.name}
                </li>
              ))}
            </ul>
          </div>
        ))}
      {load.state === "ready" && load.data.flags.length > 0 && <Alert tone="warning">{t("privacy.audit.flags", { count: load.data.flags.length })}</Alert>}
    </section>
  );
}

type Verdict = "pass" | "fail" | "inconclusive";

function auditPolygons(details: Record<string, unknown>): { name: string; verdict: Verdict }[] {
  const list = Array.isArray(details["polygons"]) ? (details["polygons"] as unknown[]) : [];
  return list.flatMap((p) => {
    if (!p || typeof p !== "object") return [];
    const { name, verdict } = p as { name?: unknown; verdict?: unknown };
    if (typeof name !== "string" || (verdict !== "pass" && verdict !== "fail" && verdict !== "inconclusive")) return [];
    return [{ name, verdict }];
  });
}
