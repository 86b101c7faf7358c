// Administration › Habilitations: per agent, who designated them, until when, sworn, for which
// cameras (all or camera groups), with a status badge; granted and revoked (with a reason) by
// holders of habilitations.write. A banner counts those lapsing within 30 days (A6).
import { useCallback, useMemo, useState } from "react";
import { api, type Me, type Schemas } from "../../api/client";
import { Icon } from "../../components/icons";
import { useToast } from "../../components/toasts";
import { Alert, Badge, Button, Dialog, EmptyState, ErrorState, Spinner, TextField } from "../../components/ui";
import { t } from "../../i18n";
import { siteDateTime } from "../../site";
import { DialogActions, ReasonDialog } from "../shared/dialogs";
import { SelectField } from "../shared/fields";
import { call, useAction, useLoad } from "../shared/load";
import { countExpiring, daysBetween, habilitationState, STATE_TONE } from "./habilitation";
import { CheckField, explain, frenchDate, siteToday, TabHeader } from "./shared";
import "./people.css";

type User = Schemas["UserOut"];
type Habilitation = Schemas["HabilitationOut"];
type Group = Schemas["CameraGroupOut"];
interface Data {
  users: User[];
  habilitations: Habilitation[];
  groups: Group[];
}

async function loadAll() {
  const users = await call(() => api.GET("/api/users", { params: { query: { limit: 500 } } }));
  if ("error" in users) return users;
  const groups = await call(() => api.GET("/api/camera-groups"));
  if ("error" in groups) return groups;
  const lists = await Promise.all(
    users.data.items.map((u) => call(() => api.GET("/api/users/{user_id}/habilitations", { params: { path: { user_id: u.id } } }))),
  );
  const failed = lists.find((l) => "error" in l);
  if (failed && "error" in failed) return failed;
  const habilitations = lists.flatMap((l) => ("data" in l ? l.data : []));
  return { data: { users: users.data.items, habilitations, groups: groups.data } satisfies Data };
}

export function HabilitationsTab({ me }: { me: Me }) {
  const canWrite = me.permissions.includes("habilitations.write");
  const fetcher = useCallback(loadAll, []);
  const [load, reload] = useLoad<Data>(fetcher);
  const [userFilter, setUserFilter] = useState("");
  const [granting, setGranting] = useState(false);
  const [revoking, setRevoking] = useState<Habilitation | null>(null);
  const today = siteToday();

  const byId = useMemo(() => new Map((load.state === "ready" ? load.data.users : []).map((u) => [u.id, u])), [load]);
  if (load.state === "loading") return <Spinner label={t("adminPeople.loading")} />;
  if (load.state === "error") return <ErrorState message={explain(load.error)} onRetry={reload} />;
  const { users, habilitations, groups } = load.data;
  const shown = habilitations
    .filter((h) => userFilter === "" || String(h.user_id) === userFilter)
    .sort((a, b) => (byId.get(a.user_id)?.username ?? "").localeCompare(byId.get(b.user_id)?.username ?? "") || b.expires_on.localeCompare(a.expires_on));
  const expiring = countExpiring(habilitations, today);
  const groupName = (id: number) => groups.find((g) => g.id === id)?.name ?? `#${id}`;

  return (
    <div className="ap-tab">
      <TabHeader title={t("adminPeople.hab.title")} lead={t("adminPeople.hab.lead")}>
        {canWrite && (
          <Button variant="primary" onClick={() => setGranting(true)}>
            {t("adminPeople.hab.grant")}
          </Button>
        )}
      </TabHeader>
      {!canWrite && <Alert tone="info">{t("adminPeople.readOnly")}</Alert>}
      {expiring > 0 && <Alert tone="warning">{t("adminPeople.hab.expiringBanner", { count: expiring })}</Alert>}
      <div className="filters">
        <SelectField label={t("adminPeople.hab.user")} value={userFilter} onChange={(e) => setUserFilter(e.target.value)}>
          <option value="">{t("adminPeople.hab.allUsers")}</option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.full_name} ({u.username})
            </option>
          ))}
        </SelectField>
      </div>
      {shown.length === 0 ? (
        <EmptyState icon={<Icon name="key" size={40} />} title={t("adminPeople.hab.emptyTitle")}>
          <p>{t("adminPeople.hab.emptyBody")}</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label={t("adminPeople.hab.title")}>
            <thead>
              <tr>
                <th scope="col">{t("adminPeople.hab.col.user")}</th>
                <th scope="col">{t("adminPeople.hab.col.designation")}</th>
                <th scope="col">{t("adminPeople.hab.col.sworn")}</th>
                <th scope="col">{t("adminPeople.hab.col.period")}</th>
                <th scope="col">{t("adminPeople.hab.col.scope")}</th>
                <th scope="col">{t("adminPeople.hab.col.training")}</th>
                <th scope="col">{t("adminPeople.hab.col.status")}</th>
                {canWrite && <th scope="col" className="col-actions">{t("adminPeople.hab.col.actions")}</th>}
              </tr>
            </thead>
            <tbody>
              {shown.map((h) => {
                const user = byId.get(h.user_id);
                const state = habilitationState(h, today);
                const label =
                  state === "expiring" ? t("adminPeople.hab.state.expiring", { days: daysBetween(today, h.expires_on) }) : t(`adminPeople.hab.state.${state}`);
                return (
                  <tr key={h.id} data-testid={`habilitation-${h.id}`}>
                    <td>
                      {user?.full_name ?? h.user_id}
                      <div className="cell-note">{user?.username}</div>
                    </td>
                    <td>
                      {h.designated_by}
                      {h.designation_ref && <div className="cell-note">{h.designation_ref}</div>}
                    </td>
                    <td>{h.sworn ? t("adminPeople.yes") : t("adminPeople.no")}</td>
                    <td className="nowrap">{t("adminPeople.hab.from", { from: frenchDate(h.designated_on), to: frenchDate(h.expires_on) })}</td>
                    <td>
                      {h.all_cameras ? (
                        t("adminPeople.allCameras")
                      ) : (
                        <span className="ap-chips">
                          {h.group_ids.map((g) => (
                            <span key={g} className="code-chip">
                              {groupName(g)}
                            </span>
                          ))}
                        </span>
                      )}
                    </td>
                    <td className="nowrap">{h.training_on ? frenchDate(h.training_on) : t("adminPeople.none")}</td>
                    <td>
                      <Badge tone={STATE_TONE[state]}>{label}</Badge>
                      {h.revoked_at && <div className="cell-note">{t("adminPeople.hab.revokedOn", { date: siteDateTime(h.revoked_at), reason: h.revoked_reason })}</div>}
                    </td>
                    {canWrite && (
                      <td className="col-actions">
                        {!h.revoked_at && (
                          <Button size="sm" variant="danger" onClick={() => setRevoking(h)} aria-label={t("adminPeople.hab.revokeLabel", { id: h.id, username: user?.username ?? "" })}>
                            {t("adminPeople.hab.revoke")}
                          </Button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="table-footer muted">{t("adminPeople.hab.count", { count: shown.length })}</div>
        </div>
      )}
      {granting && <GrantDialog users={users.filter((u) => u.active && u.id !== me.user_id)} groups={groups} preset={userFilter} onClose={() => setGranting(false)} onDone={reload} />}
      <RevokeDialog habilitation={revoking} username={revoking ? (byId.get(revoking.user_id)?.username ?? "") : ""} onClose={() => setRevoking(null)} onDone={reload} />
    </div>
  );
}

function GrantDialog({ users, groups, preset, onClose, onDone }: { users: User[]; groups: Group[]; preset: string; onClose: () => void; onDone: () => void }) {
  const today = siteToday();
  const [form, setForm] = useState({
    user: preset,
    designated_by: "",
    designation_ref: "",
    designated_on: today,
    expires_on: "",
    training_on: "",
    sworn: true,
    all_cameras: false,
    group_ids: [] as number[],
  });
  const { busy, error, run } = useAction();
  const toast = useToast();
  const datesOk = form.expires_on !== "" && form.expires_on >= form.designated_on && form.expires_on >= today;
  const scopeOk = form.all_cameras || form.group_ids.length > 0;
  const ready = form.user !== "" && form.designated_by.trim() !== "" && datesOk && scopeOk;

  async function submit() {
    const body = {
      designated_by: form.designated_by,
      designation_ref: form.designation_ref,
      designated_on: form.designated_on,
      expires_on: form.expires_on,
      training_on: form.training_on || null,
      sworn: form.sworn,
      all_cameras: form.all_cameras,
      group_ids: form.all_cameras ? [] : form.group_ids,
    };
    const userId = Number(form.user);
    await run(
      () => call(() => api.POST("/api/users/{user_id}/habilitations", { params: { path: { user_id: userId } }, body })),
      () => {
        toast("success", t("adminPeople.hab.granted", { username: users.find((u) => u.id === userId)?.username ?? "" }));
        onDone();
        onClose();
      },
    );
  }

  const toggleGroup = (id: number, on: boolean) =>
    setForm({ ...form, group_ids: on ? [...form.group_ids, id] : form.group_ids.filter((g) => g !== id) });
  return (
    <Dialog
      open
      wide
      title={t("adminPeople.hab.grantTitle")}
      onClose={onClose}
      footer={<DialogActions onCancel={onClose} onConfirm={() => void submit()} label={t("adminPeople.hab.grantSubmit")} disabled={busy || !ready} />}
    >
      {error && <Alert tone="error">{explain(error)}</Alert>}
      <SelectField label={t("adminPeople.hab.user")} value={form.user} onChange={(e) => setForm({ ...form, user: e.target.value })}>
        <option value="">{t("adminPeople.hab.chooseUser")}</option>
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.full_name} ({u.username})
          </option>
        ))}
      </SelectField>
      <div className="ap-grid">
        <TextField label={t("adminPeople.hab.designatedBy")} hint={t("adminPeople.hab.designatedByHint")} value={form.designated_by} required onChange={(e) => setForm({ ...form, designated_by: e.target.value })} />
        <TextField label={t("adminPeople.hab.designationRef")} value={form.designation_ref} onChange={(e) => setForm({ ...form, designation_ref: e.target.value })} />
        <TextField label={t("adminPeople.hab.designatedOn")} type="date" value={form.designated_on} required onChange={(e) => setForm({ ...form, designated_on: e.target.value })} />
        <TextField
          label={t("adminPeople.hab.expiresOn")}
          type="date"
          value={form.expires_on}
          required
          error={form.expires_on !== "" && !datesOk ? t("adminPeople.hab.badDates") : null}
          hint={form.expires_on !== "" && !datesOk ? t("adminPeople.hab.badDates") : undefined}
          onChange={(e) => setForm({ ...form, expires_on: e.target.value })}
        />
        <TextField label={t("adminPeople.hab.trainingOn")} type="date" value={form.training_on} max={today} onChange={(e) => setForm({ ...form, training_on: e.target.value })} />
        <div className="ap-sworn">
          <CheckField label={t("adminPeople.hab.sworn")} checked={form.sworn} onChange={(sworn) => setForm({ ...form, sworn })} />
        </div>
      </div>
      <fieldset className="ap-fieldset">
        <legend>{t("adminPeople.hab.scope")}</legend>
        <label className="ap-check">
          <input type="radio" name="hab-scope" checked={form.all_cameras} onChange={() => setForm({ ...form, all_cameras: true })} />
          <span>{t("adminPeople.hab.scopeAll")}</span>
        </label>
        <label className="ap-check">
          <input type="radio" name="hab-scope" checked={!form.all_cameras} onChange={() => setForm({ ...form, all_cameras: false })} />
          <span>{t("adminPeople.hab.scopeGroups")}</span>
        </label>
        {!form.all_cameras && (
          <div className="ap-checklist">
            {groups.length === 0 && <p className="muted">{t("adminPeople.hab.noGroups")}</p>}
            {groups.map((g) => (
              <CheckField
                key={g.id}
                label={t("adminPeople.hab.groupLabel", { name: g.name, count: g.camera_ids.length })}
                checked={form.group_ids.includes(g.id)}
                onChange={(on) => toggleGroup(g.id, on)}
              />
            ))}
          </div>
        )}
        {!scopeOk && <p className="field-hint">{t("adminPeople.hab.chooseGroups")}</p>}
      </fieldset>
    </Dialog>
  );
}

function RevokeDialog({ habilitation, username, onClose, onDone }: { habilitation: Habilitation | null; username: string; onClose: () => void; onDone: () => void }) {
  const toast = useToast();
  return (
    <ReasonDialog
      subject={habilitation}
      title={t("adminPeople.hab.revokeTitle")}
      body={t("adminPeople.hab.revokeBody", { username })}
      reasonLabel={t("adminPeople.reason")}
      confirmLabel={t("adminPeople.hab.revokeConfirm")}
      explain={explain}
      confirm={(h, reason) => call(() => api.POST("/api/habilitations/{habilitation_id}/revoke", { params: { path: { habilitation_id: h.id } }, body: { reason } }))}
      done={() => {
        toast("success", t("adminPeople.hab.revoked"));
        onDone();
      }}
      onClose={onClose}
    />
  );
}
