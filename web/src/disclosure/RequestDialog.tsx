// « Anonymiser… » on a finished export: choose one of its videos, the purpose, the recipient and
// the reason, then POST /api/disclosures (journalled) and open the review screen.
import { useEffect, useState } from "react";
import { api, type ApiError, asApiError, type ExportOut, networkError, type Schemas } from "../api/client";
import { describeError } from "../api/errors";
import { SelectField } from "../admin/shared/fields";
import { useToast } from "../components/toasts";
import { Alert, Button, Dialog, Spinner, TextField } from "../components/ui";
import { t } from "../i18n";
import { formatRange } from "../pages/ExportsPage";
import { navigate } from "../shell/router";
import { purposeLabel } from "./actions";

type Video = Schemas["ExportVideoOut"];
type Purpose = Schemas["sentinelle__disclosure__models__Purpose"];
const PURPOSES: Purpose[] = ["access_request", "press", "training", "other"];
export const REVIEW_PATH = "/exports/anonymisation";

export function reviewPath(id: number): string {
  return `${REVIEW_PATH}/${id}`;
}

/** A duration in minutes and seconds ("2 min 05 s", "45 s"). */
export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const m = Math.floor(whole / 60);
  const s = whole % 60;
  return m > 0 ? `${m} min ${String(s).padStart(2, "0")} s` : `${s} s`;
}

type Videos = { state: "loading" } | { state: "error"; error: ApiError } | { state: "ready"; items: Video[] };

export function RequestDialog({ row, onClose }: { row: ExportOut | null; onClose: () => void }) {
  const [videos, setVideos] = useState<Videos>({ state: "loading" });
  const [file, setFile] = useState("");
  const [purpose, setPurpose] = useState<Purpose>("access_request");
  const [recipient, setRecipient] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();

  useEffect(() => {
    setVideos({ state: "loading" });
    setFile("");
    setPurpose("access_request");
    setRecipient("");
    setReason("");
    setError(null);
    if (!row) return;
    let live = true;
    (async () => {
      try {
        const { data, error: failure, response } = await api.GET("/api/exports/{export_id}/videos", {
          params: { path: { export_id: row.id } },
        });
        if (!live) return;
        if (data) {
          setVideos({ state: "ready", items: data });
          setFile(data[0]?.file ?? "");
        } else setVideos({ state: "error", error: asApiError(failure, response.status) });
      } catch {
        if (live) setVideos({ state: "error", error: networkError() });
      }
    })();
    return () => {
      live = false;
    };
  }, [row]);

  async function submit() {
    if (!row) return;
    setBusy(true);
    setError(null);
    try {
      const { data, error: failure, response } = await api.POST("/api/disclosures", {
        body: { export_id: row.id, file, purpose, recipient: recipient.trim(), reason: reason.trim() },
      });
      if (data) {
        toast("success", t("disclosure.request.done", { reference: data.reference }));
        onClose();
        navigate(reviewPath(data.id));
      } else setError(asApiError(failure, response.status));
    } catch {
      setError(networkError());
    } finally {
      setBusy(false);
    }
  }

  const ready = file !== "" && recipient.trim() !== "" && reason.trim() !== "";
  return (
    <Dialog
      open={row !== null}
      wide
      title={row ? t("disclosure.request.title", { reference: row.reference }) : ""}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("disclosure.request.cancel")}</Button>
          <Button variant="primary" disabled={!ready || busy} onClick={() => void submit()}>
            {t("disclosure.request.submit")}
          </Button>
        </>
      }
    >
      <p className="muted">{t("disclosure.request.body")}</p>
      {error && <Alert tone="error">{describeError(error)}</Alert>}
      {videos.state === "loading" && <Spinner label={t("disclosure.request.loadingVideos")} />}
      {videos.state === "error" && <Alert tone="error">{describeError(videos.error)}</Alert>}
      {videos.state === "ready" && videos.items.length === 0 && <Alert tone="info">{t("disclosure.request.noVideo")}</Alert>}
      {videos.state === "ready" && videos.items.length > 0 && (
        <fieldset className="dr-videos">
          <legend className="field-label">{t("disclosure.request.video")}</legend>
          {videos.items.map((v) => (
            <label key={v.file} className={`dr-video ${file === v.file ? "dr-video-on" : ""}`}>
              <input type="radio" name="dr-video" value={v.file} checked={file === v.file} onChange={() => setFile(v.file)} />
              <span className="dr-video-code">{v.camera_code}</span>
              <span>{formatRange(v.covered_from, v.covered_to)}</span>
              <span className="muted">
                {formatDuration(v.duration_seconds)} · {v.width}×{v.height}
              </span>
            </label>
          ))}
        </fieldset>
      )}
      <SelectField label={t("disclosure.request.purpose")} value={purpose} onChange={(e) => setPurpose(e.target.value as Purpose)}>
        {PURPOSES.map((p) => (
          <option key={p} value={p}>
            {purposeLabel(p)}
          </option>
        ))}
      </SelectField>
      <TextField
        label={t("disclosure.request.recipient")}
        hint={t("disclosure.request.recipientHint")}
        value={recipient}
        onChange={(e) => setRecipient(e.target.value)}
        maxLength={300}
        required
      />
      <TextField label={t("disclosure.request.reason")} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} required />
    </Dialog>
  );
}
