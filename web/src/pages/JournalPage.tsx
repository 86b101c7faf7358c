import { type FormEvent, useCallback, useEffect, useState } from "react";
import { api, type ApiError, asApiError, networkError, type Schemas } from "../api/client";
import { describeError } from "../api/errors";
import { Icon } from "../components/icons";
import { Alert, Badge, Button, EmptyState, ErrorState, Spinner, TextField } from "../components/ui";
import { hasMessage, t } from "../i18n";
import { formatDateTime } from "./ExportsPage";
import { PageHeader } from "./pages";

type Entry = Schemas["AuditEntryOut"];
type Verify = Schemas["VerifyOut"];
const PAGE = 50;
const PERIODS = { all: 0, hour: 3600, day: 86400, week: 7 * 86400 } as const;
type Period = keyof typeof PERIODS;

interface Filters {
  actor: string;
  action: string;
  period: Period;
}

type Load =
  | { state: "loading" }
  | { state: "error"; error: ApiError }
  | { state: "ready"; items: Entry[]; total: number; offset: number };

/** The journal: every change and every look at video, newest first, with its chain check. */
export function JournalPage({ canVerify }: { canVerify: boolean }) {
  const [draft, setDraft] = useState<Filters>({ actor: "", action: "", period: "all" });
  const [filters, setFilters] = useState<Filters>(draft);
  const [offset, setOffset] = useState(0);
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [verify, setVerify] = useState<{ busy: boolean; result: Verify | null; error: ApiError | null }>({
    busy: false,
    result: null,
    error: null,
  });

  const fetchPage = useCallback(async () => {
    setLoad({ state: "loading" });
    const seconds = PERIODS[filters.period];
    const query = {
      limit: PAGE,
      offset,
      ...(filters.actor ? { actor: filters.actor } : {}),
      ...(filters.action ? { action: filters.action } : {}),
      ...(seconds ? { since: new Date(Date.now() - seconds * 1000).toISOString() } : {}),
    };
    try {
      const { data, error, response } = await api.GET("/api/audit/entries", { params: { query } });
      if (data) setLoad({ state: "ready", items: data.items, total: data.total, offset: data.offset });
      else if (response.status !== 401) setLoad({ state: "error", error: asApiError(error, response.status) });
    } catch {
      setLoad({ state: "error", error: networkError() });
    }
  }, [filters, offset]);

  useEffect(() => {
    void fetchPage();
  }, [fetchPage]);

  async function runVerify() {
    setVerify({ busy: true, result: null, error: null });
    try {
      const { data, error, response } = await api.POST("/api/audit/verify");
      setVerify({ busy: false, result: data ?? null, error: data ? null : asApiError(error, response.status) });
    } catch {
      setVerify({ busy: false, result: null, error: networkError() });
    }
  }

  function apply(e: FormEvent) {
    e.preventDefault();
    setOffset(0);
    setFilters(draft);
  }

  return (
    <>
      <PageHeader
        title={t("journal.title")}
        lead={t("journal.lead")}
        actions={
          canVerify && (
            <Button variant="primary" disabled={verify.busy} onClick={() => void runVerify()}>
              <Icon name="lock" size={16} /> {verify.busy ? t("journal.verifying") : t("journal.verify")}
            </Button>
          )
        }
      />
      {verify.result && verify.result.ok && (
        <Alert tone="success">
          <strong>{t("journal.verifyOk")}</strong> {t("journal.verifyOkDetail", { count: verify.result.checked, seq: verify.result.last_seq })}
        </Alert>
      )}
      {verify.result && !verify.result.ok && (
        <Alert tone="error">
          <strong>{t("journal.verifyBad", { seq: verify.result.first_bad_seq ?? "?" })}</strong> {verify.result.problem}
        </Alert>
      )}
      {verify.error && <Alert tone="error">{describeError(verify.error)}</Alert>}

      <form className="filters" onSubmit={apply} aria-label={t("journal.filters")}>
        <TextField label={t("journal.actor")} value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} />
        <TextField
          label={t("journal.action")}
          value={draft.action}
          placeholder="auth.login"
          onChange={(e) => setDraft({ ...draft, action: e.target.value })}
        />
        <div className="field">
          <label htmlFor="journal-period">{t("journal.period")}</label>
          <select id="journal-period" value={draft.period} onChange={(e) => setDraft({ ...draft, period: e.target.value as Period })}>
            <option value="all">{t("journal.period.all")}</option>
            <option value="hour">{t("journal.period.hour")}</option>
            <option value="day">{t("journal.period.day")}</option>
            <option value="week">{t("journal.period.week")}</option>
          </select>
        </div>
        <Button type="submit">{t("journal.apply")}</Button>
      </form>

      {load.state === "loading" && <Spinner label={t("common.loading")} />}
      {load.state === "error" && <ErrorState message={describeError(load.error)} onRetry={() => void fetchPage()} />}
      {load.state === "ready" && load.items.length === 0 && (
        <EmptyState icon={<Icon name="journal" size={40} />} title={t("journal.none")}>
          <p>{t("journal.noneBody")}</p>
        </EmptyState>
      )}
      {load.state === "ready" && load.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label={t("journal.title")}>
            <thead>
              <tr>
                <th scope="col">{t("journal.col.seq")}</th>
                <th scope="col">{t("journal.col.at")}</th>
                <th scope="col">{t("journal.col.actor")}</th>
                <th scope="col">{t("journal.col.action")}</th>
                <th scope="col">{t("journal.col.target")}</th>
                <th scope="col">{t("journal.col.reason")}</th>
                <th scope="col">{t("journal.col.hash")}</th>
              </tr>
            </thead>
            <tbody>
              {load.items.map((e) => (
                <tr key={e.seq}>
                  <td className="num">{e.seq}</td>
                  <td className="nowrap">{formatDateTime(e.at)}</td>
                  <td>
                    {e.actor_name} {e.actor_kind !== "user" && <Badge tone="muted">{e.actor_kind}</Badge>}
                  </td>
                  <td>
                    <code className="code-chip">{e.action}</code>
                    {actionLabel(e.action) && <div className="cell-note">{actionLabel(e.action)}</div>}
                  </td>
                  <td className="nowrap">
                    {e.target_type} {e.target_id}
                  </td>
                  <td>{e.reason || t("exports.none")}</td>
                  <td className="num" title={e.hash}>
                    {e.hash.slice(0, 12)}…
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="table-footer pager">
            <span className="muted">
              {t("journal.range", {
                from: load.offset + 1,
                to: load.offset + load.items.length,
                total: load.total,
              })}
            </span>
            <span>
              <Button size="sm" disabled={load.offset === 0} onClick={() => setOffset(Math.max(0, load.offset - PAGE))}>
                {t("journal.newer")}
              </Button>{" "}
              <Button size="sm" disabled={load.offset + load.items.length >= load.total} onClick={() => setOffset(load.offset + PAGE)}>
                {t("journal.older")}
              </Button>
            </span>
          </div>
        </div>
      )}
    </>
  );
}

/** The French label of a journal action, where the catalogue has one (journal.label.<action>). */
export function actionLabel(action: string): string | null {
  const key = `journal.label.${action}`;
  return hasMessage(key) ? t(key) : null;
}
