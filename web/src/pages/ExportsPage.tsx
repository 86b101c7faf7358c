import { useCallback, useEffect, useState } from "react";
import { api, type ApiError, asApiError, type ExportOut, networkError } from "../api/client";
import { describeError } from "../api/errors";
import { DisclosureList } from "../disclosure/DisclosureList";
import { RequestDialog } from "../disclosure/RequestDialog";
import { Icon } from "../components/icons";
import { ReasonDialog } from "../components/ReasonDialog";
import { useToast } from "../components/toasts";
import { Badge, Button, EmptyState, ErrorState, Spinner } from "../components/ui";
import { hasMessage, type MessageKey, t } from "../i18n";
import { siteDateTime } from "../site";
import { PageHeader } from "./pages";

const POLL_MS = 5000;
type Load = { state: "loading" } | { state: "error"; error: ApiError } | { state: "ready"; rows: ExportOut[] };

const STATUS_TONE: Record<string, "ok" | "info" | "warn" | "error" | "muted"> = {
  queued: "muted",
  running: "info",
  done: "ok",
  failed: "error",
  cancelled: "warn",
};

export function formatDateTime(iso: string): string {
  return siteDateTime(iso);
}

/** A period, its date written once when both ends fall on the same day (site time). */
export function formatRange(fromIso: string, toIso: string): string {
  const from = formatDateTime(fromIso);
  const to = formatDateTime(toIso);
  const [fromDay, fromTime] = from.split(" ");
  const [toDay, toTime] = to.split(" ");
  return fromDay === toDay ? `${fromDay} ${fromTime} → ${toTime}` : `${from} → ${to}`;
}

export function formatBytes(bytes: number): string {
  if (bytes <= 0) return "—";
  const units = ["o", "Ko", "Mo", "Go", "To"];
  const i = Math.min(units.length - 1, Math.floor(Math.log(bytes) / Math.log(1024)));
  const value = bytes / 1024 ** i;
  return `${value.toLocaleString("fr-FR", { maximumFractionDigits: i === 0 ? 0 : 1 })} ${units[i]}`;
}

export function ExportsPage() {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [cancelling, setCancelling] = useState<ExportOut | null>(null);
  const [anonymising, setAnonymising] = useState<ExportOut | null>(null);
  const [reloadKey, setReloadKey] = useState(0);

  const refresh = useCallback(async () => {
    try {
      const { data, error, response } = await api.GET("/api/exports");
      if (data) setLoad({ state: "ready", rows: data });
      else if (response.status !== 401) setLoad({ state: "error", error: asApiError(error, response.status) });
    } catch {
      setLoad({ state: "error", error: networkError() });
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const active = load.state === "ready" && load.rows.some((r) => r.status === "queued" || r.status === "running");
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => void refresh(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [active, refresh]);

  return (
    <>
      <PageHeader
        title={t("exports.title")}
        lead={t("exports.lead")}
        actions={
          <Button
            onClick={() => {
              void refresh();
              setReloadKey((k) => k + 1);
            }}
          >
            <Icon name="refresh" size={16} /> {t("exports.refresh")}
          </Button>
        }
      />
      {load.state === "loading" && <Spinner label={t("exports.loading")} />}
      {load.state === "error" && <ErrorState message={describeError(load.error)} onRetry={() => void refresh()} />}
      {load.state === "ready" && load.rows.length === 0 && (
        <EmptyState icon={<Icon name="inbox" size={40} />} title={t("exports.emptyTitle")}>
          <p>{t("exports.emptyBody")}</p>
        </EmptyState>
      )}
      {load.state === "ready" && load.rows.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label={t("exports.title")}>
            <thead>
              <tr>
                <th scope="col">{t("exports.col.id")}</th>
                <th scope="col" className="hide-narrow">{t("exports.col.created")}</th>
                <th scope="col">{t("exports.col.range")}</th>
                <th scope="col" className="hide-narrow">{t("exports.col.cameras")}</th>
                <th scope="col">{t("exports.col.requisition")}</th>
                <th scope="col" className="hide-narrow">{t("exports.col.requestedBy")}</th>
                <th scope="col">{t("exports.col.status")}</th>
                <th scope="col" className="col-actions">
                  {t("exports.col.actions")}
                </th>
              </tr>
            </thead>
            <tbody>
              {load.rows.map((row) => (
                <ExportRow key={row.id} row={row} onCancel={() => setCancelling(row)} onAnonymise={() => setAnonymising(row)} />
              ))}
            </tbody>
          </table>
          <div className="table-footer muted">{t("exports.count", { count: load.rows.length })}</div>
        </div>
      )}
      {load.state === "ready" && <DisclosureList exports={new Map(load.rows.map((r) => [r.id, r.reference]))} reloadKey={reloadKey} />}
      <RequestDialog row={anonymising} onClose={() => setAnonymising(null)} />
      <CancelDialog
        row={cancelling}
        onClose={() => setCancelling(null)}
        onDone={() => {
          setCancelling(null);
          void refresh();
        }}
      />
    </>
  );
}

function ExportRow({ row, onCancel, onAnonymise }: { row: ExportOut; onCancel: () => void; onAnonymise: () => void }) {
  const finished = row.status === "done" || row.status === "failed" || row.status === "cancelled";
  const statusKey = `status.${row.status}`;
  const label = row.status in STATUS_TONE ? t(statusKey as MessageKey) : row.status;
  return (
    <tr data-testid={`export-${row.id}`}>
      <td className="num nowrap">{row.reference}</td>
      <td className="nowrap hide-narrow">{formatDateTime(row.created_at)}</td>
      <td className="nowrap">{formatRange(row.range_from, row.range_to)}</td>
      <td className="hide-narrow">{row.camera_ids.length}</td>
      <td className="nowrap">{row.requisition || t("exports.none")}</td>
      <td className="hide-narrow">{row.requested_by}</td>
      <td className="col-status">
        <Badge tone={STATUS_TONE[row.status] ?? "muted"}>{label}</Badge>
        {(row.status === "running" || row.status === "queued") && (
          <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(row.progress * 100)}>
            <div className="progress-bar" style={{ width: `${Math.round(row.progress * 100)}%` }} />
          </div>
        )}
        {row.status === "failed" && row.error_message && <div className="cell-note">{failureText(row)}</div>}
        {row.status === "done" && <div className="cell-note">{formatBytes(row.bytes)}</div>}
      </td>
      <td className="col-actions">
        <div className="dr-actions">
          {row.status === "done" && (
            <a className="btn btn-secondary btn-sm" href={downloadUrl(row.id, row.reason)} aria-label={t("exports.downloadLabel", { id: row.id })} download>
              <Icon name="download" size={14} /> {t("exports.download")}
            </a>
          )}
          {row.status === "done" && (
            <Button size="sm" aria-label={t("disclosure.actionLabel", { reference: row.reference })} onClick={onAnonymise}>
              {t("disclosure.action")}
            </Button>
          )}
          {!finished && (
            <Button size="sm" variant="danger" onClick={onCancel}>
              {t("exports.cancel")}
            </Button>
          )}
        </div>
      </td>
    </tr>
  );
}

function CancelDialog({ row, onClose, onDone }: { row: ExportOut | null; onClose: () => void; onDone: () => void }) {
  const toast = useToast();
  async function submit(reason: string): Promise<ApiError | null> {
    if (!row) return null;
    const { data, error, response } = await api.POST("/api/exports/{export_id}/cancel", {
      params: { path: { export_id: row.id } },
      body: { reason },
    });
    if (!data) return asApiError(error, response.status);
    toast("success", t("exports.cancelled", { id: row.id }));
    onDone();
    return null;
  }
  return (
    <ReasonDialog
      open={row !== null}
      title={row ? t("exports.cancelTitle", { id: row.id }) : ""}
      body={<p>{t("exports.cancelBody")}</p>}
      reasonLabel={t("exports.cancelReason")}
      confirmLabel={t("exports.cancelConfirm")}
      closeLabel={t("exports.cancelKeep")}
      danger
      onClose={onClose}
      onSubmit={submit}
    />
  );
}

/** The package's download: the API journals it with a reason, here the export's own. */
export function downloadUrl(id: number, reason: string): string {
  return `/api/exports/${id}/package.zip?reason=${encodeURIComponent(reason)}`;
}

/** Why an export failed, in French when the catalogue knows its code (else the server's words). */
export function failureText(row: Pick<ExportOut, "error_code" | "error_message">): string {
  return hasMessage(`error.${row.error_code}`)
    ? describeError({ code: row.error_code, message: row.error_message, details: {}, status: 500 })
    : row.error_message;
}
