// Administration › Destruction register: every destruction of recordings (camera, footage
// destroyed, when, why, chain positions and last hash), filtered by camera and period, paged,
// and exported as the CLI's `register export` does (CSV, or HTML to print); exports are journalled.
import { type FormEvent, useCallback, useState } from "react";
import { api, type Me, type Schemas } from "../../api/client";
import { Icon } from "../../components/icons";
import { Badge, Button, EmptyState, ErrorState, Spinner, TextField } from "../../components/ui";
import { t } from "../../i18n";
import { formatBytes, formatRange } from "../../pages/ExportsPage";
import { siteDateTime } from "../../site";
import { explain, siteDayStart, TabHeader } from "../people/shared";
import { SelectField } from "../shared/fields";
import { call, useLoad } from "../shared/load";
import "./records.css";

const PAGE = 50;
type Line = Schemas["DestructionOut"];

interface Filters {
  camera: string;
  from: string; // site day YYYY-MM-DD or ""
  to: string;
}

/** The API query of the filters: the `to` day is included (up to the next day's start). */
export function registerQuery(f: Filters): { camera_id?: number; from?: string; to?: string } {
  const from = f.from ? siteDayStart(f.from) : null;
  const to = f.to ? siteDayStart(f.to, 1) : null;
  return { ...(f.camera ? { camera_id: Number(f.camera) } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

export function exportHref(f: Filters, format: "csv" | "html"): string {
  const q = registerQuery(f);
  const params = new URLSearchParams({ format, ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) });
  return `/api/destruction-register/export?${params.toString()}`;
}

export function RegisterTab(_props: { me: Me }) {
  const [draft, setDraft] = useState<Filters>({ camera: "", from: "", to: "" });
  const [filters, setFilters] = useState<Filters>(draft);
  const [offset, setOffset] = useState(0);
  const camerasFetcher = useCallback(() => call(() => api.GET("/api/cameras", { params: { query: { limit: 500 } } })), []);
  const [cameras] = useLoad(camerasFetcher);
  const fetcher = useCallback(
    () => call(() => api.GET("/api/destruction-register", { params: { query: { ...registerQuery(filters), limit: PAGE, offset } } })),
    [filters, offset],
  );
  const [load, reload] = useLoad(fetcher);

  function apply(e: FormEvent) {
    e.preventDefault();
    setOffset(0);
    setFilters(draft);
  }

  return (
    <div className="ap-tab">
      <TabHeader title={t("adminPeople.register.title")} lead={t("adminPeople.register.lead")}>
        <div className="ap-actions">
          <a className="btn btn-secondary btn-md" href={exportHref(filters, "html")} target="_blank" rel="noopener">
            {t("adminPeople.register.exportHtml")}
          </a>
          <a className="btn btn-primary btn-md" href={exportHref(filters, "csv")} download title={t("adminPeople.register.exportHint")}>
            <Icon name="download" size={16} /> {t("adminPeople.register.exportCsv")}
          </a>
        </div>
      </TabHeader>
      <form className="filters" onSubmit={apply} aria-label={t("adminPeople.register.title")}>
        <SelectField label={t("adminPeople.register.camera")} value={draft.camera} onChange={(e) => setDraft({ ...draft, camera: e.target.value })}>
          <option value="">{t("adminPeople.allCameras")}</option>
          {cameras.state === "ready" &&
            cameras.data.items.map((c) => (
              <option key={c.id} value={c.id}>
                {c.code} — {c.name}
              </option>
            ))}
        </SelectField>
        <TextField label={t("adminPeople.register.from")} type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        <TextField label={t("adminPeople.register.to")} type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        <Button type="submit">{t("adminPeople.apply")}</Button>
      </form>
      {load.state === "loading" && <Spinner label={t("adminPeople.loading")} />}
      {load.state === "error" && <ErrorState message={explain(load.error)} onRetry={reload} />}
      {load.state === "ready" && load.data.items.length === 0 && (
        <EmptyState icon={<Icon name="inbox" size={40} />} title={t("adminPeople.register.emptyTitle")}>
          <p>{t("adminPeople.register.emptyBody")}</p>
        </EmptyState>
      )}
      {load.state === "ready" && load.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label={t("adminPeople.register.title")}>
            <thead>
              <tr>
                <th scope="col">{t("adminPeople.register.col.destroyed")}</th>
                <th scope="col">{t("adminPeople.register.col.camera")}</th>
                <th scope="col">{t("adminPeople.register.col.period")}</th>
                <th scope="col" className="ap-num">{t("adminPeople.register.col.segments")}</th>
                <th scope="col" className="ap-num">{t("adminPeople.register.col.bytes")}</th>
                <th scope="col">{t("adminPeople.register.col.reason")}</th>
                <th scope="col">{t("adminPeople.register.col.chain")}</th>
              </tr>
            </thead>
            <tbody>
              {load.data.items.map((line) => (
                <LineRow key={line.id} line={line} />
              ))}
            </tbody>
          </table>
          <div className="table-footer pager">
            <span className="muted">{t("adminPeople.range", { from: load.data.offset + 1, to: load.data.offset + load.data.items.length, total: load.data.total })}</span>
            <span>
              <Button size="sm" disabled={load.data.offset === 0} onClick={() => setOffset(Math.max(0, load.data.offset - PAGE))}>
                {t("adminPeople.previous")}
              </Button>{" "}
              <Button size="sm" disabled={load.data.offset + load.data.items.length >= load.data.total} onClick={() => setOffset(load.data.offset + PAGE)}>
                {t("adminPeople.next")}
              </Button>
            </span>
          </div>
        </div>
      )}
    </div>
  );
}

function LineRow({ line }: { line: Line }) {
  return (
    <tr data-testid={`destruction-${line.id}`}>
      <td className="nowrap">{siteDateTime(line.destroyed_at)}</td>
      <td>
        <code className="code-chip">{line.camera_code}</code>
      </td>
      <td className="nowrap">{formatRange(line.start_at, line.end_at)}</td>
      <td className="ap-num">{line.segments}</td>
      <td className="ap-num nowrap">{formatBytes(line.bytes)}</td>
      <td>
        <Badge tone={line.reason === "retention_expiry" ? "muted" : "warn"}>{t(`adminPeople.register.reason.${line.reason}`)}</Badge>
        {!line.completed && <div className="cell-note">{t("adminPeople.register.pending")}</div>}
      </td>
      <td className="num nowrap" title={line.last_hash}>
        {line.first_seq}–{line.last_seq} · {line.last_hash.slice(0, 12)}…
      </td>
    </tr>
  );
}
