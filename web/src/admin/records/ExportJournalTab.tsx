// Administration › Export journal: every export of images (rule 5: images' dates, duration,
// cameras, export date, exporter, requisition and recipient, package hash). Reading it is
// itself journalled with a reason, so nothing is fetched before the reader gives one.
import { type FormEvent, useState } from "react";
import { api, type ApiError, type Me, type Schemas } from "../../api/client";
import { Icon } from "../../components/icons";
import { Alert, Button, EmptyState, ErrorState, Spinner, TextField } from "../../components/ui";
import { t } from "../../i18n";
import { formatRange } from "../../pages/ExportsPage";
import { siteDateTime } from "../../site";
import { explain, siteDayStart, siteDaysAgo, siteToday } from "../people/shared";
import { call } from "../shared/load";
import "./records.css";

type Line = Schemas["ExportLineOut"];
type State = { state: "idle" } | { state: "loading" } | { state: "error"; error: ApiError } | { state: "ready"; lines: Line[] };

/** Lines whose exporter, requisition, recipient, camera or reference contain `text`. */
export function searchLines(lines: readonly Line[], text: string): Line[] {
  const q = text.trim().toLowerCase();
  if (q === "") return [...lines];
  return lines.filter((l) => [l.exporter, l.requisition, l.officer, l.camera_code, l.reference].some((v) => v.toLowerCase().includes(q)));
}

export function duration(seconds: number): string {
  const whole = Math.round(seconds);
  return t("adminPeople.exports.duration", { minutes: Math.floor(whole / 60), seconds: whole % 60 });
}

export function ExportJournalTab(_props: { me: Me }) {
  const [form, setForm] = useState({ from: siteDaysAgo(30), to: siteToday(), reason: "" });
  const [search, setSearch] = useState("");
  const [load, setLoad] = useState<State>({ state: "idle" });

  async function consult(e: FormEvent) {
    e.preventDefault();
    const from = siteDayStart(form.from);
    const to = siteDayStart(form.to, 1);
    if (!from || !to || form.reason.trim() === "") return;
    setLoad({ state: "loading" });
    const result = await call(() => api.GET("/api/export-journal", { params: { query: { from, to, reason: form.reason.trim() } } }));
    if ("error" in result) setLoad({ state: "error", error: result.error });
    else setLoad({ state: "ready", lines: result.data });
  }

  const shown = load.state === "ready" ? searchLines(load.lines, search) : [];
  return (
    <div className="ap-tab">
      <div>
        <h2 className="ap-title">{t("adminPeople.exports.title")}</h2>
        <p className="muted ap-lead">{t("adminPeople.exports.lead")}</p>
      </div>
      <form className="filters" onSubmit={(e) => void consult(e)} aria-label={t("adminPeople.exports.title")}>
        <TextField label={t("adminPeople.exports.from")} type="date" value={form.from} required onChange={(e) => setForm({ ...form, from: e.target.value })} />
        <TextField label={t("adminPeople.exports.to")} type="date" value={form.to} required onChange={(e) => setForm({ ...form, to: e.target.value })} />
        <div className="ap-grow">
          <TextField
            label={t("adminPeople.exports.reason")}
            placeholder={t("adminPeople.exports.reasonPlaceholder")}
            value={form.reason}
            required
            onChange={(e) => setForm({ ...form, reason: e.target.value })}
          />
        </div>
        <Button type="submit" variant="primary" disabled={form.reason.trim() === "" || load.state === "loading"}>
          {t("adminPeople.exports.consult")}
        </Button>
      </form>
      {load.state === "idle" && <Alert tone="info">{t("adminPeople.exports.intro")}</Alert>}
      {load.state === "loading" && <Spinner label={t("adminPeople.loading")} />}
      {load.state === "error" && <ErrorState message={explain(load.error)} />}
      {load.state === "ready" && load.lines.length === 0 && (
        <EmptyState icon={<Icon name="exports" size={40} />} title={t("adminPeople.exports.emptyTitle")}>
          <p>{t("adminPeople.exports.emptyBody")}</p>
        </EmptyState>
      )}
      {load.state === "ready" && load.lines.length > 0 && (
        <>
          <div className="filters">
            <TextField label={t("adminPeople.exports.search")} placeholder={t("adminPeople.exports.searchPlaceholder")} value={search} onChange={(e) => setSearch(e.target.value)} />
          </div>
          <div className="table-wrap">
            <table className="table" aria-label={t("adminPeople.exports.title")}>
              <thead>
                <tr>
                  <th scope="col">{t("adminPeople.exports.col.reference")}</th>
                  <th scope="col">{t("adminPeople.exports.col.exported")}</th>
                  <th scope="col">{t("adminPeople.exports.col.exporter")}</th>
                  <th scope="col">{t("adminPeople.exports.col.camera")}</th>
                  <th scope="col">{t("adminPeople.exports.col.images")}</th>
                  <th scope="col">{t("adminPeople.exports.col.duration")}</th>
                  <th scope="col">{t("adminPeople.exports.col.requisition")}</th>
                  <th scope="col">{t("adminPeople.exports.col.officer")}</th>
                  <th scope="col">{t("adminPeople.exports.col.hash")}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((l) => (
                  <tr key={`${l.reference}-${l.camera_id}`} data-testid={`export-line-${l.reference}`}>
                    <td className="num nowrap">{l.reference}</td>
                    <td className="nowrap">{siteDateTime(l.exported_at)}</td>
                    <td>{l.exporter}</td>
                    <td className="nowrap">
                      <code className="code-chip">{l.camera_code}</code>
                    </td>
                    <td className="nowrap">{formatRange(l.images_from, l.images_to)}</td>
                    <td className="nowrap">{duration(l.duration_seconds)}</td>
                    <td>{l.requisition || t("adminPeople.none")}</td>
                    <td>{l.officer || t("adminPeople.none")}</td>
                    <td className="num nowrap" title={l.file_sha256}>
                      {l.file_sha256 ? `${l.file_sha256.slice(0, 12)}…` : t("adminPeople.none")}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="table-footer muted">{t("adminPeople.exports.count", { count: shown.length })}</div>
          </div>
        </>
      )}
    </div>
  );
}
