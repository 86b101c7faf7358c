// The anonymisation screen of one disclosure (/exports/anonymisation/{id}): the analysis'
// progress, then the review (ReviewEditor), then the render's progress and its result (hashes
// before and after, who, download, verify). Polls while a job runs.
import { useCallback, useEffect, useState } from "react";
import { api, type ApiError, asApiError, networkError } from "../api/client";
import { describeError } from "../api/errors";
import { Icon } from "../components/icons";
import { Alert, Button, ErrorState, Spinner } from "../components/ui";
import { t } from "../i18n";
import { formatBytes, formatDateTime } from "../pages/ExportsPage";
import { PageHeader } from "../pages/pages";
import { navigate } from "../shell/router";
import { DisclosureDialogs, DisclosureStatus, type Pending, purposeLabel } from "./actions";
import { ReviewEditor } from "./ReviewEditor";
import { type Disclosure, WORKING } from "./review";
import "./disclosure.css";

const POLL_MS = 1500;
type Load = { state: "loading" } | { state: "error"; error: ApiError } | { state: "ready"; row: Disclosure };

export function disclosureIdOf(path: string): number | null {
  const m = /^\/exports\/anonymisation\/(\d+)\/?$/.exec(path);
  return m ? Number(m[1]) : null;
}

export function ReviewPage({ id }: { id: number }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [pending, setPending] = useState<Pending>(null);
  const [generation, setGeneration] = useState(0); // a reload starts the decisions afresh

  const refresh = useCallback(async () => {
    try {
      const { data, error, response } = await api.GET("/api/disclosures/{disclosure_id}", {
        params: { path: { disclosure_id: id } },
      });
      if (data) setLoad({ state: "ready", row: data });
      else if (response.status !== 401) setLoad({ state: "error", error: asApiError(error, response.status) });
    } catch {
      setLoad({ state: "error", error: networkError() });
    }
  }, [id]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const working = load.state === "ready" && WORKING.has(load.row.status);
  useEffect(() => {
    if (!working) return;
    const timer = window.setInterval(() => void refresh(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [working, refresh]);

  const back = (
    <Button onClick={() => navigate("/exports")}>
      ← {t("disclosure.review.back")}
    </Button>
  );
  if (load.state === "loading") return <Spinner label={t("disclosure.review.loading")} />;
  if (load.state === "error")
    return (
      <>
        <PageHeader title={t("disclosure.list.title")} actions={back} />
        <ErrorState message={describeError(load.error)} onRetry={() => void refresh()} />
      </>
    );
  const row = load.row;
  return (
    <div className="dr-page">
      <PageHeader
        title={t("disclosure.review.title", { reference: row.reference })}
        lead={t("disclosure.review.meta", {
          camera: row.camera_code,
          export: `n° ${row.export_id}`,
          purpose: purposeLabel(row.purpose),
          recipient: row.recipient,
        })}
        actions={
          <>
            <div className="dr-header-status" data-testid="dr-status">
              <DisclosureStatus row={row} />
            </div>
            {back}
          </>
        }
      />
      <Alert tone="info">{t("disclosure.review.banner")}</Alert>
      {row.status === "review" && (
        <ReviewEditor
          generation={generation}
          row={row}
          onRow={(next) => setLoad({ state: "ready", row: next })}
          onReload={() => void refresh().then(() => setGeneration((g) => g + 1))}
        />
      )}
      {WORKING.has(row.status) && <Working row={row} />}
      {row.status === "failed" && <Alert tone="error">{t("disclosure.review.failed", { message: describeError(failure(row)) })}</Alert>}
      {row.status === "cancelled" && <Alert tone="warning">{t("disclosure.review.cancelled")}</Alert>}
      {row.status === "done" && <Result row={row} onAction={(kind) => setPending({ kind, row })} />}
      <DisclosureDialogs pending={pending} onClose={() => setPending(null)} onChanged={() => void refresh()} />
    </div>
  );
}

function planSummary(plan: Record<string, unknown>): string {
  const size = (key: string) => ((plan[key] as unknown[] | undefined) ?? []).length;
  const effect = t(plan["effect"] === "pixelate" ? "disclosure.review.effect.pixelate" : "disclosure.review.effect.blur").toLowerCase();
  return t("disclosure.result.plan", { kept: size("keep"), dismissed: size("dismissed"), regions: size("manual"), effect });
}

function failure(row: Disclosure): ApiError {
  return { code: row.error_code, message: row.error_message, details: {}, status: 500 };
}

function Working({ row }: { row: Disclosure }) {
  const key =
    row.status === "queued"
      ? "disclosure.review.queued"
      : row.status === "analysing"
        ? "disclosure.review.analysing"
        : row.status === "render_queued"
          ? "disclosure.review.renderQueued"
          : "disclosure.review.rendering";
  const percent = Math.round(row.progress * 100);
  return (
    <section className="dr-working" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <div>
        <div>{t(key)}</div>
        <div className="progress dr-progress-wide" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
          <div className="progress-bar" style={{ width: `${percent}%` }} />
        </div>
        <div className="muted">{percent} %</div>
      </div>
    </section>
  );
}

function Result({ row, onAction }: { row: Disclosure; onAction: (kind: "download" | "verify") => void }) {
  return (
    <section className="dr-result" aria-labelledby="dr-result-title" data-testid="dr-result">
      <h2 id="dr-result-title">{t("disclosure.result.title")}</h2>
      <p className="muted">
        {t("disclosure.result.by", { who: row.rendered_by, when: row.finished_at ? formatDateTime(row.finished_at) : "—" })} ·{" "}
        {t("disclosure.result.size", { size: formatBytes(row.bytes) })}
      </p>
      {row.plan && <p>{planSummary(row.plan)}</p>}
      <dl className="dr-hashes">
        <dt>{t("disclosure.result.before")}</dt>
        <dd>
          <code>{row.source_sha256}</code>
        </dd>
        <dt>{t("disclosure.result.after")}</dt>
        <dd>
          <code>{row.output_sha256}</code>
        </dd>
        <dt>{t("disclosure.result.log")}</dt>
        <dd>
          <code>{row.log_sha256}</code>
        </dd>
      </dl>
      <div className="dr-result-actions">
        <Button variant="primary" onClick={() => onAction("download")}>
          <Icon name="download" size={14} /> {t("disclosure.download")}
        </Button>
        <Button onClick={() => onAction("verify")}>{t("disclosure.verify")}</Button>
      </div>
    </section>
  );
}
