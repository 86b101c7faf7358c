// The export of the mark in/out selection: reason, requisition, officer; then the job's
// progress, and once done the download and the package's verification.
import { useEffect, useState } from "react";
import { api, type ApiError, asApiError, type ExportOut, networkError, type Schemas } from "../api/client";
import { describeError } from "../api/errors";
import { Icon } from "../components/icons";
import { Alert, Button, Dialog, TextField } from "../components/ui";
import { t } from "../i18n";
import { navigate } from "../shell/router";
import { formatBytes, formatDateTime } from "../pages/ExportsPage";
import { type ExportErrors, exportBody, validateExport } from "./exportForm";
import type { Selection } from "./geometry";

const POLL_MS = 1000;

export function ExportDialog({
  open,
  selection,
  cameraIds,
  onClose,
}: {
  open: boolean;
  selection: Selection | null;
  cameraIds: number[];
  onClose: () => void;
}) {
  const [reason, setReason] = useState("");
  const [requisition, setRequisition] = useState("");
  const [officer, setOfficer] = useState("");
  const [errors, setErrors] = useState<ExportErrors>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [job, setJob] = useState<ExportOut | null>(null);
  const [verification, setVerification] = useState<Schemas["VerificationOut"] | "checking" | null>(null);

  useEffect(() => {
    if (!open) return;
    setErrors({});
    setFailure(null);
    setJob(null);
    setVerification(null);
  }, [open]);

  const running = job !== null && (job.status === "queued" || job.status === "running");
  useEffect(() => {
    if (!running || !job) return;
    const timer = window.setInterval(async () => {
      try {
        const { data } = await api.GET("/api/exports/{export_id}", { params: { path: { export_id: job.id } } });
        if (data) setJob(data);
      } catch {
        /* next poll */
      }
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [running, job]);

  const done = job?.status === "done";
  useEffect(() => {
    if (!done || !job) return;
    setVerification("checking");
    void (async () => {
      try {
        const { data, error, response } = await api.GET("/api/exports/{export_id}/verification", {
          params: { path: { export_id: job.id } },
        });
        if (data) setVerification(data);
        else {
          setVerification(null);
          setFailure(asApiError(error, response.status));
        }
      } catch {
        setVerification(null);
        setFailure(networkError());
      }
    })();
  }, [done, job?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  async function submit() {
    if (!selection) return;
    const form = { from: selection.from, to: selection.to, reason, requisition, officer };
    const found = validateExport(form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setFailure(null);
    try {
      const { data, error, response } = await api.POST("/api/exports", { body: exportBody(form, cameraIds) });
      if (data) setJob(data);
      else setFailure(asApiError(error, response.status));
    } catch {
      setFailure(networkError());
    } finally {
      setBusy(false);
    }
  }

  const err = (k: keyof ExportErrors) => {
    const e = errors[k];
    return e ? t(e.key, { max: e.max ?? 0 }) : null;
  };
  const percent = job ? Math.round(job.progress * 100) : 0;

  return (
    <Dialog
      open={open}
      title={t("playback.exportTitle")}
      onClose={onClose}
      footer={
        job ? (
          <>
            <Button onClick={() => navigate("/exports")}>{t("playback.exportSeeAll")}</Button>
            <Button variant="primary" onClick={onClose}>
              {t("common.close")}
            </Button>
          </>
        ) : (
          <>
            <Button onClick={onClose}>{t("common.cancel")}</Button>
            <Button variant="primary" disabled={busy || !selection} onClick={() => void submit()}>
              {t("playback.exportSubmit")}
            </Button>
          </>
        )
      }
    >
      {selection && (
        <p>{t("playback.exportBody", { from: formatDateTime(new Date(selection.from).toISOString()), to: formatDateTime(new Date(selection.to).toISOString()) })}</p>
      )}
      {errors.period && <Alert tone="error">{err("period")}</Alert>}
      {failure && <Alert tone="error">{describeError(failure)}</Alert>}
      {!job && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
          noValidate
        >
          <TextField label={t("playback.exportReason")} value={reason} onChange={(e) => setReason(e.target.value)} error={err("reason")} hint={err("reason") ?? undefined} autoFocus required />
          <TextField label={t("playback.exportRequisition")} value={requisition} onChange={(e) => setRequisition(e.target.value)} error={err("requisition")} hint={err("requisition") ?? "PV 2026/004512"} />
          <TextField label={t("playback.exportOfficer")} value={officer} onChange={(e) => setOfficer(e.target.value)} error={err("officer")} hint={err("officer") ?? "OPJ Martin, commissariat central"} />
        </form>
      )}
      {job && (
        <div className="pb-export-job" data-testid="export-job">
          {job.status === "queued" && <Alert tone="info">{t("playback.exportQueued", { reference: job.reference })}</Alert>}
          {job.status === "running" && <Alert tone="info">{t("playback.exportRunning", { percent })}</Alert>}
          {running && (
            <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
              <div className="progress-bar" style={{ width: `${percent}%` }} />
            </div>
          )}
          {job.status === "failed" && <Alert tone="error">{t("playback.exportFailed", { message: job.error_message || job.error_code })}</Alert>}
          {job.status === "cancelled" && <Alert tone="warning">{t("playback.exportCancelled")}</Alert>}
          {done && (
            <>
              <Alert tone="success">{t("playback.exportDone", { size: formatBytes(job.bytes) })}</Alert>
              {verification === "checking" && <p className="muted">{t("playback.exportVerifying")}</p>}
              {verification && verification !== "checking" && (
                <Alert tone={verification.ok ? "success" : "error"}>
                  <span data-testid="export-verification">
                    {verification.ok
                      ? t("playback.exportVerified", { files: verification.files_checked, videos: verification.videos_checked })
                      : t("playback.exportVerifyFailed", { problems: verification.problems.map((p) => p.message).join(" ; ") })}
                  </span>
                </Alert>
              )}
              <a
                className="btn btn-primary btn-md"
                href={`/api/exports/${job.id}/package.zip?reason=${encodeURIComponent(job.reason)}`}
                download
              >
                <Icon name="download" size={16} /> {t("playback.exportDownload")}
              </a>
            </>
          )}
        </div>
      )}
    </Dialog>
  );
}
