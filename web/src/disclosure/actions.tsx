// What both the exports page and the review screen do with a disclosure: its status badge,
// download (with a reason, journalled), verification of the signed package, cancellation.
import { useEffect, useState } from "react";
import { api, type ApiError, asApiError, networkError, type Schemas } from "../api/client";
import { describeError } from "../api/errors";
import { Icon } from "../components/icons";
import { ReasonDialog } from "../components/ReasonDialog";
import { useToast } from "../components/toasts";
import { Alert, Badge, Button, Dialog, Spinner, TextField } from "../components/ui";
import { hasMessage, t } from "../i18n";
import { type Disclosure, WORKING } from "./review";

type Verification = Schemas["VerificationOut"];
type Tone = "ok" | "info" | "warn" | "error" | "muted";

const TONES: Record<string, Tone> = {
  queued: "muted",
  analysing: "info",
  review: "warn",
  render_queued: "muted",
  rendering: "info",
  done: "ok",
  failed: "error",
  cancelled: "muted",
};

export function statusLabel(status: string): string {
  const key = `disclosure.status.${status}`;
  return hasMessage(key) ? t(key) : status;
}

export function purposeLabel(purpose: string, short = false): string {
  const key = `disclosure.${short ? "purposeShort" : "purpose"}.${purpose}`;
  return hasMessage(key) ? t(key) : purpose;
}

export function DisclosureStatus({ row }: { row: Disclosure }) {
  const percent = Math.round(row.progress * 100);
  return (
    <>
      <Badge tone={TONES[row.status] ?? "muted"}>{statusLabel(row.status)}</Badge>
      {WORKING.has(row.status) && (
        <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
          <div className="progress-bar" style={{ width: `${percent}%` }} />
        </div>
      )}
      {row.status === "review" && <div className="cell-note">{t("disclosure.tracks", { count: row.tracks })}</div>}
      {row.status === "failed" && row.error_code && <div className="cell-note">{describeError(errorOf(row))}</div>}
    </>
  );
}

function errorOf(row: Disclosure): ApiError {
  return { code: row.error_code, message: row.error_message, details: {}, status: 500 };
}

export function downloadUrl(id: number, reason: string): string {
  return `/api/disclosures/${id}/package.zip?reason=${encodeURIComponent(reason)}`;
}

export type Pending = { kind: "download" | "verify" | "cancel"; row: Disclosure } | null;

/** The dialog of the pending action (one at a time). */
export function DisclosureDialogs({ pending, onClose, onChanged }: { pending: Pending; onClose: () => void; onChanged: () => void }) {
  return (
    <>
      <DownloadDialog row={pending?.kind === "download" ? pending.row : null} onClose={onClose} />
      <VerifyDialog row={pending?.kind === "verify" ? pending.row : null} onClose={onClose} />
      <CancelDialog
        row={pending?.kind === "cancel" ? pending.row : null}
        onClose={onClose}
        onDone={() => {
          onClose();
          onChanged();
        }}
      />
    </>
  );
}

function DownloadDialog({ row, onClose }: { row: Disclosure | null; onClose: () => void }) {
  const [reason, setReason] = useState("");
  useEffect(() => setReason(""), [row]);
  const ready = reason.trim().length > 0;
  return (
    <Dialog
      open={row !== null}
      title={row ? t("disclosure.downloadTitle", { reference: row.reference }) : ""}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("disclosure.close")}</Button>
          {row && ready ? (
            <a className="btn btn-primary btn-md" href={downloadUrl(row.id, reason.trim())} download onClick={() => window.setTimeout(onClose, 0)}>
              <Icon name="download" size={14} /> {t("disclosure.downloadConfirm")}
            </a>
          ) : (
            <Button variant="primary" disabled>
              <Icon name="download" size={14} /> {t("disclosure.downloadConfirm")}
            </Button>
          )}
        </>
      }
    >
      <p>{t("disclosure.downloadBody")}</p>
      <TextField label={t("disclosure.downloadReason")} value={reason} onChange={(e) => setReason(e.target.value)} autoFocus required />
    </Dialog>
  );
}

function VerifyDialog({ row, onClose }: { row: Disclosure | null; onClose: () => void }) {
  const [result, setResult] = useState<{ report: Verification | null; error: ApiError | null } | null>(null);
  useEffect(() => {
    setResult(null);
    if (!row) return;
    let live = true;
    (async () => {
      try {
        const { data, error, response } = await api.GET("/api/disclosures/{disclosure_id}/verification", {
          params: { path: { disclosure_id: row.id } },
        });
        if (live) setResult({ report: data ?? null, error: data ? null : asApiError(error, response.status) });
      } catch {
        if (live) setResult({ report: null, error: networkError() });
      }
    })();
    return () => {
      live = false;
    };
  }, [row]);
  const report = result?.report;
  return (
    <Dialog
      open={row !== null}
      title={row ? t("disclosure.verifyTitle", { reference: row.reference }) : ""}
      onClose={onClose}
      footer={<Button onClick={onClose}>{t("disclosure.close")}</Button>}
    >
      {!result && <Spinner label={t("disclosure.verifying")} />}
      {result?.error && <Alert tone="error">{describeError(result.error)}</Alert>}
      {report && report.ok && <Alert tone="success">{t("disclosure.verifyOk", { files: report.files_checked })}</Alert>}
      {report && !report.ok && (
        <Alert tone="error">
          {t("disclosure.verifyBad", { count: report.problems.length })}
          <ul className="dr-problems">
            {report.problems.map((p) => (
              <li key={`${p.path}-${p.code}`}>
                <code>{p.path}</code> — {p.code} : {p.message}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      {report && <p className="muted dr-hash">{t("disclosure.verifyCertificate", { fingerprint: report.certificate_fingerprint })}</p>}
    </Dialog>
  );
}

function CancelDialog({ row, onClose, onDone }: { row: Disclosure | null; onClose: () => void; onDone: () => void }) {
  const toast = useToast();
  async function submit(reason: string): Promise<ApiError | null> {
    if (!row) return null;
    const { data, error, response } = await api.POST("/api/disclosures/{disclosure_id}/cancel", {
      params: { path: { disclosure_id: row.id } },
      body: { reason },
    });
    if (!data) return asApiError(error, response.status);
    toast("success", t("disclosure.cancelled", { reference: row.reference }));
    onDone();
    return null;
  }
  return (
    <ReasonDialog
      open={row !== null}
      title={row ? t("disclosure.cancelTitle", { reference: row.reference }) : ""}
      body={<p>{t("disclosure.cancelBody")}</p>}
      reasonLabel={t("disclosure.cancelReason")}
      confirmLabel={t("disclosure.cancelConfirm")}
      closeLabel={t("disclosure.cancelKeep")}
      danger
      onClose={onClose}
      onSubmit={submit}
    />
  );
}
