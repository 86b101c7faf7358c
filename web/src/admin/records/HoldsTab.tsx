// Administration › Conservation: legal holds (gels) placed for judicial procedures. Held
// footage escapes every sweeper until the hold is released (S9); placing and releasing are
// journalled with their reasons, and need a habilitation covering the cameras.
import { useCallback, useState } from "react";
import { api, type Me, type Schemas } from "../../api/client";
import { Icon } from "../../components/icons";
import { useToast } from "../../components/toasts";
import { Alert, Badge, Button, Dialog, EmptyState, Spinner, TextField } from "../../components/ui";
import { t } from "../../i18n";
import { formatRange } from "../../pages/ExportsPage";
import { site, siteDateTime } from "../../site";
import { DialogActions, ReasonDialog } from "../shared/dialogs";
import { SelectField } from "../shared/fields";
import { call, useAction, useLoad } from "../shared/load";
import { Loaded } from "../shared/Loaded";
import { CheckField, explain, frenchDate, siteToday, TabHeader, TextAreaField } from "../people/shared";
import { emptyHold, GROUNDS, type HoldDraft, type HoldErrors, holdBody, validateHold } from "./holdForm";
import "./records.css";

type Hold = Schemas["HoldOut"];
type Camera = Schemas["CameraOut"];

export function HoldsTab({ me }: { me: Me }) {
  // Register readers (auditor, DPO) see the holds; only holds.write places or releases.
  const canWrite = me.permissions.includes("holds.write");
  const [showReleased, setShowReleased] = useState(false);
  const fetcher = useCallback(() => call(() => api.GET("/api/legal-holds", { params: { query: { all: showReleased } } })), [showReleased]);
  const [load, reload] = useLoad(fetcher);
  const [placing, setPlacing] = useState(false);
  const [releasing, setReleasing] = useState<Hold | null>(null);

  return (
    <div className="ap-tab">
      <TabHeader title={t("adminPeople.holds.title")} lead={t("adminPeople.holds.lead")}>
        {canWrite && (
          <Button variant="primary" onClick={() => setPlacing(true)}>
            <Icon name="lock" size={16} /> {t("adminPeople.holds.place")}
          </Button>
        )}
      </TabHeader>
      <div className="ap-switch">
        <CheckField label={t("adminPeople.holds.showReleased")} checked={showReleased} onChange={setShowReleased} />
      </div>
      <Loaded load={load} reload={reload} loadingLabel={t("adminPeople.loading")} explain={explain}>
        {(holds) =>
          holds.length === 0 ? (
            <EmptyState icon={<Icon name="lock" size={40} />} title={t("adminPeople.holds.emptyTitle")}>
              <p>{t("adminPeople.holds.emptyBody")}</p>
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label={t("adminPeople.holds.title")}>
                <thead>
                  <tr>
                    <th scope="col">{t("adminPeople.holds.col.procedure")}</th>
                    <th scope="col">{t("adminPeople.holds.col.cameras")}</th>
                    <th scope="col">{t("adminPeople.holds.col.period")}</th>
                    <th scope="col">{t("adminPeople.holds.col.authority")}</th>
                    <th scope="col">{t("adminPeople.holds.col.reason")}</th>
                    <th scope="col">{t("adminPeople.holds.col.placed")}</th>
                    <th scope="col">{t("adminPeople.holds.col.status")}</th>
                    <th scope="col" className="col-actions">{t("adminPeople.holds.col.actions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {holds.map((h) => (
                    <HoldRow key={h.id} hold={h} onRelease={canWrite ? () => setReleasing(h) : undefined} />
                  ))}
                </tbody>
              </table>
              <div className="table-footer muted">{t("adminPeople.holds.count", { count: holds.length })}</div>
            </div>
          )
        }
      </Loaded>
      {placing && <PlaceDialog onClose={() => setPlacing(false)} onDone={reload} />}
      <ReleaseDialog hold={releasing} onClose={() => setReleasing(null)} onDone={reload} />
    </div>
  );
}

function HoldRow({ hold: h, onRelease }: { hold: Hold; onRelease?: () => void }) {
  const periods = [...new Set(h.items.map((i) => formatRange(i.start, i.end)))];
  return (
    <tr data-testid={`hold-${h.id}`}>
      <td>
        <strong className="nowrap">{h.procedure_number}</strong>
        <div className="cell-note">{t(`adminPeople.holds.ground.${h.ground}`)}</div>
      </td>
      <td>
        <span className="ap-chips">
          {[...new Set(h.items.map((i) => i.camera_code))].map((code) => (
            <span key={code} className="code-chip">
              {code}
            </span>
          ))}
        </span>
      </td>
      <td className="nowrap">
        {periods.map((p) => (
          <div key={p}>{p}</div>
        ))}
      </td>
      <td>{h.authority}</td>
      <td className="ap-reason">{h.reason}</td>
      <td className="nowrap">
        {siteDateTime(h.placed_at)}
        <div className="cell-note">{h.placed_by}</div>
      </td>
      <td>
        {h.released_at ? <Badge tone="muted">{t("adminPeople.holds.released")}</Badge> : <Badge tone="warn">{t("adminPeople.holds.active")}</Badge>}
        {h.released_at && (
          <div className="cell-note">
            {t("adminPeople.holds.releasedBy", { date: siteDateTime(h.released_at), name: h.released_by ?? "", reason: h.release_reason })}
          </div>
        )}
        {!h.released_at && h.until && <div className="cell-note">{t("adminPeople.holds.review", { date: frenchDate(h.until) })}</div>}
      </td>
      <td className="col-actions">
        {!h.released_at && onRelease && (
          <Button size="sm" onClick={onRelease} aria-label={t("adminPeople.holds.releaseLabel", { procedure: h.procedure_number })}>
            {t("adminPeople.holds.release")}
          </Button>
        )}
      </td>
    </tr>
  );
}

function PlaceDialog({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const fetcher = useCallback(() => call(() => api.GET("/api/cameras", { params: { query: { limit: 500 } } })), []);
  const [cameras] = useLoad(fetcher);
  const [draft, setDraft] = useState<HoldDraft>(emptyHold);
  const [touched, setTouched] = useState(false);
  const [filter, setFilter] = useState("");
  const { busy, error, run } = useAction();
  const toast = useToast();
  const errors: HoldErrors = validateHold(draft, site.timezone, Date.now(), siteToday());
  const shownError = (field: keyof HoldErrors) => {
    const e = touched ? errors[field] : undefined;
    return e ? t(e.key, { max: e.max ?? 0 }) : null;
  };
  const list: Camera[] = cameras.state === "ready" ? cameras.data.items : [];
  const q = filter.trim().toLowerCase();
  const visible = list.filter((c) => q === "" || c.code.toLowerCase().includes(q) || c.name.toLowerCase().includes(q));

  async function submit() {
    setTouched(true);
    if (Object.keys(errors).length > 0) return;
    await run(
      () => call(() => api.POST("/api/legal-holds", { body: holdBody(draft, site.timezone) })),
      (hold) => {
        toast("success", t("adminPeople.holds.placed", { procedure: hold.procedure_number }));
        onDone();
        onClose();
      },
    );
  }

  const toggle = (id: number, on: boolean) =>
    setDraft({ ...draft, cameraIds: on ? [...draft.cameraIds, id] : draft.cameraIds.filter((c) => c !== id) });
  return (
    <Dialog
      open
      wide
      title={t("adminPeople.holds.placeTitle")}
      onClose={onClose}
      footer={<DialogActions onCancel={onClose} onConfirm={() => void submit()} label={t("adminPeople.holds.placeSubmit")} disabled={busy} />}
    >
      {error && <Alert tone="error">{explain(error)}</Alert>}
      <fieldset className={`ap-fieldset ${shownError("cameras") ? "ap-fieldset-invalid" : ""}`}>
        <legend>
          {t("adminPeople.holds.cameras")} <span className="muted">· {t("adminPeople.holds.selected", { count: draft.cameraIds.length })}</span>
        </legend>
        <TextField label={t("adminPeople.holds.filterCameras")} value={filter} onChange={(e) => setFilter(e.target.value)} />
        {cameras.state === "loading" && <Spinner label={t("adminPeople.loading")} />}
        {cameras.state === "error" && <Alert tone="error">{explain(cameras.error)}</Alert>}
        <div className="ap-checklist ap-checklist-scroll">
          {visible.map((c) => (
            <CheckField
              key={c.id}
              label={
                <>
                  <code>{c.code}</code> {c.name}
                </>
              }
              checked={draft.cameraIds.includes(c.id)}
              onChange={(on) => toggle(c.id, on)}
            />
          ))}
        </div>
        {shownError("cameras") && <p className="field-hint">{shownError("cameras")}</p>}
      </fieldset>
      <div className="ap-grid">
        <TextField label={t("adminPeople.holds.from")} type="datetime-local" step={1} value={draft.from} error={shownError("period")} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        <TextField
          label={t("adminPeople.holds.to")}
          type="datetime-local"
          step={1}
          value={draft.to}
          error={shownError("period")}
          hint={shownError("period") ?? undefined}
          onChange={(e) => setDraft({ ...draft, to: e.target.value })}
        />
        <SelectField label={t("adminPeople.holds.ground")} value={draft.ground} onChange={(e) => setDraft({ ...draft, ground: e.target.value as HoldDraft["ground"] })}>
          {GROUNDS.map((g) => (
            <option key={g} value={g}>
              {t(`adminPeople.holds.ground.${g}`)}
            </option>
          ))}
        </SelectField>
        <TextField label={t("adminPeople.holds.procedure")} value={draft.procedure} error={shownError("procedure")} hint={shownError("procedure") ?? undefined} onChange={(e) => setDraft({ ...draft, procedure: e.target.value })} />
        <TextField label={t("adminPeople.holds.authority")} value={draft.authority} error={shownError("authority")} hint={shownError("authority") ?? undefined} onChange={(e) => setDraft({ ...draft, authority: e.target.value })} />
        <TextField label={t("adminPeople.holds.until")} type="date" value={draft.until} error={shownError("until")} hint={shownError("until") ?? undefined} onChange={(e) => setDraft({ ...draft, until: e.target.value })} />
      </div>
      <TextAreaField label={t("adminPeople.holds.reasonField")} value={draft.reason} error={shownError("reason")} onChange={(e) => setDraft({ ...draft, reason: e.target.value })} />
    </Dialog>
  );
}

function ReleaseDialog({ hold, onClose, onDone }: { hold: Hold | null; onClose: () => void; onDone: () => void }) {
  const toast = useToast();
  return (
    <ReasonDialog
      subject={hold}
      title={t("adminPeople.holds.releaseTitle", { procedure: hold?.procedure_number ?? "" })}
      body={t("adminPeople.holds.releaseBody")}
      reasonLabel={t("adminPeople.reason")}
      confirmLabel={t("adminPeople.holds.releaseConfirm")}
      explain={explain}
      confirm={(h, reason) => call(() => api.POST("/api/legal-holds/{hold_id}/release", { params: { path: { hold_id: h.id } }, body: { reason } }))}
      done={(h) => {
        toast("success", t("adminPeople.holds.releasedToast", { procedure: h.procedure_number }));
        onDone();
      }}
      onClose={onClose}
    />
  );
}
