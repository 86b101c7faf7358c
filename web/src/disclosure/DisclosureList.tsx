// The exports page's list of anonymised copies: reference, export, camera, purpose, recipient,
// status with progress, who and when; open, download, verify, cancel. Polls while a job runs.
import { useCallback, useEffect, useState } from "react";
import { api, type ApiError, asApiError, networkError } from "../api/client";
import { describeError } from "../api/errors";
import { Icon } from "../components/icons";
import { Button, ErrorState, Spinner } from "../components/ui";
import { t } from "../i18n";
import { formatDateTime } from "../pages/ExportsPage";
import { navigate } from "../shell/router";
import { DisclosureDialogs, DisclosureStatus, type Pending, purposeLabel } from "./actions";
import { reviewPath } from "./RequestDialog";
import { type Disclosure, FINISHED, WORKING } from "./review";
import "./disclosure.css";

const POLL_MS = 2000;
type Load = { state: "loading" } | { state: "error"; error: ApiError } | { state: "ready"; rows: Disclosure[] };

/** `exports` maps an export's id to its reference (the list shows references). */
export function DisclosureList({ exports, reloadKey }: { exports: Map<number, string>; reloadKey: number }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [pending, setPending] = useState<Pending>(null);

  const refresh = useCallback(async () => {
    try {
      const { data, error, response } = await api.GET("/api/disclosures");
      if (data) setLoad({ state: "ready", rows: data });
      else if (response.status !== 401) setLoad({ state: "error", error: asApiError(error, response.status) });
    } catch {
      setLoad({ state: "error", error: networkError() });
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh, reloadKey]);

  const active = load.state === "ready" && load.rows.some((r) => WORKING.has(r.status));
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => void refresh(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [active, refresh]);

  return (
    <section className="dr-section" aria-labelledby="dr-list-title">
      <div className="dr-section-head">
        <h2 id="dr-list-title">{t("disclosure.list.title")}</h2>
        <p className="muted">{t("disclosure.list.lead")}</p>
      </div>
      {load.state === "loading" && <Spinner label={t("disclosure.list.loading")} />}
      {load.state === "error" && <ErrorState message={describeError(load.error)} onRetry={() => void refresh()} />}
      {load.state === "ready" && load.rows.length === 0 && <p className="muted dr-empty">{t("disclosure.list.empty")}</p>}
      {load.state === "ready" && load.rows.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label={t("disclosure.list.title")}>
            <thead>
              <tr>
                <th scope="col">{t("disclosure.col.reference")}</th>
                <th scope="col" className="hide-narrow">{t("disclosure.col.export")}</th>
                <th scope="col">{t("disclosure.col.camera")}</th>
                <th scope="col">{t("disclosure.col.purpose")}</th>
                <th scope="col">{t("disclosure.col.recipient")}</th>
                <th scope="col">{t("disclosure.col.status")}</th>
                <th scope="col" className="hide-narrow">{t("disclosure.col.by")}</th>
                <th scope="col" className="col-actions">{t("disclosure.col.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {load.rows.map((row) => (
                <Row key={row.id} row={row} exportRef={exports.get(row.export_id)} onAction={(kind) => setPending({ kind, row })} />
              ))}
            </tbody>
          </table>
          <div className="table-footer muted">{t("disclosure.list.count", { count: load.rows.length })}</div>
        </div>
      )}
      <DisclosureDialogs pending={pending} onClose={() => setPending(null)} onChanged={() => void refresh()} />
    </section>
  );
}

function Row({ row, exportRef, onAction }: { row: Disclosure; exportRef: string | undefined; onAction: (kind: "download" | "verify" | "cancel") => void }) {
  return (
    <tr data-testid={`disclosure-${row.id}`}>
      <td className="num nowrap">{row.reference}</td>
      <td className="num nowrap hide-narrow">{exportRef ?? `n° ${row.export_id}`}</td>
      <td className="nowrap">{row.camera_code}</td>
      <td className="nowrap" title={purposeLabel(row.purpose)}>
        {purposeLabel(row.purpose, true)}
      </td>
      <td className="dr-recipient" title={row.recipient}>
        {row.recipient}
      </td>
      <td className="col-status">
        <DisclosureStatus row={row} />
      </td>
      <td className="nowrap hide-narrow">
        {row.requested_by}
        <div className="cell-note">{formatDateTime(row.created_at)}</div>
      </td>
      <td className="col-actions">
        <div className="dr-actions">
          {row.status !== "cancelled" && (
            <Button size="sm" variant={row.status === "review" ? "primary" : "secondary"} aria-label={t("disclosure.openLabel", { reference: row.reference })} onClick={() => navigate(reviewPath(row.id))}>
              {t("disclosure.open")}
            </Button>
          )}
          {row.status === "done" && (
            <>
              <Button size="sm" onClick={() => onAction("download")}>
                <Icon name="download" size={14} /> {t("disclosure.download")}
              </Button>
              <Button size="sm" onClick={() => onAction("verify")}>
                {t("disclosure.verify")}
              </Button>
            </>
          )}
          {!FINISHED.has(row.status) && (
            <Button size="sm" variant="danger" onClick={() => onAction("cancel")}>
              {t("disclosure.cancel")}
            </Button>
          )}
        </div>
      </td>
    </tr>
  );
}
