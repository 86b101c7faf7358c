// Administration › Users: every individual account (never deleted, only disabled), created,
// edited and MFA-reset by holders of users.write; read-only for users.read (A1, A8).
import { useCallback, useState } from "react";
import { api, type Me, type Schemas } from "../../api/client";
import { Icon } from "../../components/icons";
import { useToast } from "../../components/toasts";
import { Alert, Badge, Button, Dialog, EmptyState, TextField } from "../../components/ui";
import { type MessageKey, t } from "../../i18n";
import { siteDateTime } from "../../site";
import { DialogActions, ReasonDialog } from "../shared/dialogs";
import { SelectField } from "../shared/fields";
import { call, useAction, useLoad } from "../shared/load";
import { Loaded } from "../shared/Loaded";
import { CheckField, explain, TabHeader } from "./shared";
import "./people.css";

type User = Schemas["UserOut"];
export const ROLES = ["administrator", "supervisor", "operator", "requisition_agent", "external_viewer", "auditor", "technician"] as const;
export const roleLabel = (role: string) => t(`role.${role}` as MessageKey);

export function UsersTab({ me }: { me: Me }) {
  const canWrite = me.permissions.includes("users.write");
  const fetcher = useCallback(() => call(() => api.GET("/api/users", { params: { query: { limit: 500 } } })), []);
  const [load, reload] = useLoad(fetcher);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);

  return (
    <div className="ap-tab">
      <TabHeader title={t("adminPeople.users.title")} lead={t("adminPeople.users.lead")}>
        {canWrite && (
          <Button variant="primary" onClick={() => setCreating(true)}>
            {t("adminPeople.users.create")}
          </Button>
        )}
      </TabHeader>
      {!canWrite && <Alert tone="info">{t("adminPeople.readOnly")}</Alert>}
      <Loaded load={load} reload={reload} loadingLabel={t("adminPeople.loading")} explain={explain}>
        {(users) =>
          users.items.length === 0 ? (
            <EmptyState icon={<Icon name="admin" size={40} />} title={t("adminPeople.users.emptyTitle")}>
              <p>{t("adminPeople.users.emptyBody")}</p>
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label={t("adminPeople.users.title")}>
                <thead>
                  <tr>
                    <th scope="col">{t("adminPeople.users.col.username")}</th>
                    <th scope="col">{t("adminPeople.users.col.fullName")}</th>
                    <th scope="col">{t("adminPeople.users.col.role")}</th>
                    <th scope="col" className="nowrap">{t("adminPeople.users.col.mfa")}</th>
                    <th scope="col">{t("adminPeople.users.col.state")}</th>
                    <th scope="col" className="nowrap">{t("adminPeople.users.col.lastLogin")}</th>
                    {canWrite && <th scope="col" className="col-actions">{t("adminPeople.users.col.actions")}</th>}
                  </tr>
                </thead>
                <tbody>
                  {users.items.map((u) => (
                    <UserRow key={u.id} user={u} self={u.id === me.user_id} canWrite={canWrite} onEdit={() => setEditing(u)} onReset={() => setResetting(u)} />
                  ))}
                </tbody>
              </table>
              <div className="table-footer muted">{t("adminPeople.users.count", { count: users.total })}</div>
            </div>
          )
        }
      </Loaded>
      <CreateDialog open={creating} onClose={() => setCreating(false)} onDone={reload} />
      <EditDialog user={editing} onClose={() => setEditing(null)} onDone={reload} />
      <MfaResetDialog user={resetting} onClose={() => setResetting(null)} onDone={reload} />
    </div>
  );
}

function UserRow({ user: u, self, canWrite, onEdit, onReset }: { user: User; self: boolean; canWrite: boolean; onEdit: () => void; onReset: () => void }) {
  return (
    <tr data-testid={`user-${u.username}`}>
      <td className="nowrap">
        <code className="code-chip">{u.username}</code> {self && <Badge tone="info">{t("adminPeople.you")}</Badge>}
      </td>
      <td>
        {u.full_name}
        {u.organisation && <div className="cell-note">{u.organisation}</div>}
      </td>
      <td className="nowrap">{roleLabel(u.role)}</td>
      <td>{u.mfa_enabled ? <Badge tone="ok">{t("adminPeople.users.mfaOn")}</Badge> : <Badge tone="muted">{t("adminPeople.users.mfaOff")}</Badge>}</td>
      <td className="nowrap">
        {u.active ? <Badge tone="ok">{t("adminPeople.users.active")}</Badge> : <Badge tone="error">{t("adminPeople.users.disabled")}</Badge>}{" "}
        {u.locked && <Badge tone="warn">{t("adminPeople.users.locked")}</Badge>}
      </td>
      <td className="nowrap">{u.last_login_at ? siteDateTime(u.last_login_at) : <span className="muted">{t("adminPeople.users.never")}</span>}</td>
      {canWrite && (
        <td className="col-actions nowrap">
          <Button size="sm" disabled={self} onClick={onEdit} aria-label={t("adminPeople.users.editLabel", { username: u.username })}>
            {t("adminPeople.users.edit")}
          </Button>{" "}
          <Button size="sm" disabled={!u.mfa_enabled} onClick={onReset} aria-label={t("adminPeople.users.mfaResetLabel", { username: u.username })}>
            {t("adminPeople.users.mfaReset")}
          </Button>
        </td>
      )}
    </tr>
  );
}

function RoleSelect({ value, onChange }: { value: string; onChange: (role: string) => void }) {
  return (
    <SelectField label={t("adminPeople.users.role")} value={value} onChange={(e) => onChange(e.target.value)}>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {roleLabel(r)}
        </option>
      ))}
    </SelectField>
  );
}

function CreateDialog({ open, onClose, onDone }: { open: boolean; onClose: () => void; onDone: () => void }) {
  const empty = { username: "", full_name: "", organisation: "", role: "operator", password: "" };
  const [form, setForm] = useState(empty);
  const { busy, error, setError, run } = useAction();
  const [generated, setGenerated] = useState<string | null>(null);
  const toast = useToast();
  const close = () => {
    setForm(empty);
    setError(null);
    setGenerated(null);
    onClose();
  };

  async function submit() {
    const body = { ...form, role: form.role as User["role"], password: form.password || null };
    await run(
      () => call(() => api.POST("/api/users", { body })),
      (created) => {
        toast("success", t("adminPeople.users.created", { username: created.user.username }));
        onDone();
        if (created.generated_password) setGenerated(created.generated_password);
        else close();
      },
    );
  }

  if (generated)
    return (
      <Dialog open={open} title={t("adminPeople.users.generatedTitle")} onClose={close} footer={<Button variant="primary" onClick={close}>{t("adminPeople.users.generatedDone")}</Button>}>
        <p>{t("adminPeople.users.generatedBody")}</p>
        <p className="ap-secret" data-testid="generated-password">
          {generated}
        </p>
      </Dialog>
    );
  const ready = form.username.trim().length >= 3 && form.full_name.trim().length > 0;
  return (
    <Dialog
      open={open}
      title={t("adminPeople.users.createTitle")}
      onClose={close}
      footer={<DialogActions onCancel={close} onConfirm={() => void submit()} label={t("adminPeople.users.createSubmit")} disabled={busy || !ready} />}
    >
      {error && <Alert tone="error">{explain(error)}</Alert>}
      <div className="ap-grid">
        <TextField label={t("adminPeople.users.username")} hint={t("adminPeople.users.usernameHint")} value={form.username} autoFocus required onChange={(e) => setForm({ ...form, username: e.target.value.toLowerCase() })} />
        <TextField label={t("adminPeople.users.fullName")} value={form.full_name} required onChange={(e) => setForm({ ...form, full_name: e.target.value })} />
        <TextField label={t("adminPeople.users.organisation")} value={form.organisation} onChange={(e) => setForm({ ...form, organisation: e.target.value })} />
        <RoleSelect value={form.role} onChange={(role) => setForm({ ...form, role })} />
      </div>
      <TextField label={t("adminPeople.users.password")} hint={t("adminPeople.users.passwordHint")} type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
    </Dialog>
  );
}

function EditDialog({ user, onClose, onDone }: { user: User | null; onClose: () => void; onDone: () => void }) {
  const [role, setRole] = useState<string | null>(null);
  const [active, setActive] = useState<boolean | null>(null);
  const toast = useToast();
  const close = () => {
    setRole(null);
    setActive(null);
    onClose();
  };
  if (!user) return <Dialog open={false} title="" onClose={close} children={null} />;
  const roleNow = role ?? user.role;
  const activeNow = active ?? user.active;
  const changed = roleNow !== user.role || activeNow !== user.active;

  const confirm = (u: User, reason: string) => {
    const body = {
      ...(roleNow !== u.role ? { role: roleNow as User["role"] } : {}),
      ...(activeNow !== u.active ? { active: activeNow } : {}),
      reason,
    };
    return call(() => api.PATCH("/api/users/{user_id}", { params: { path: { user_id: u.id } }, body }));
  };

  return (
    <ReasonDialog
      subject={user}
      title={t("adminPeople.users.editTitle", { username: user.username })}
      reasonLabel={t("adminPeople.reason")}
      confirmLabel={t("adminPeople.users.save")}
      variant="primary"
      ready={changed}
      explain={explain}
      confirm={confirm}
      done={(u) => {
        toast("success", t("adminPeople.users.saved", { username: u.username }));
        onDone();
      }}
      onClose={close}
    >
      <RoleSelect value={roleNow} onChange={setRole} />
      <CheckField label={t("adminPeople.users.activeField")} checked={activeNow} onChange={setActive} />
      <p className="field-hint ap-hint">{t("adminPeople.users.editHint")}</p>
    </ReasonDialog>
  );
}

function MfaResetDialog({ user, onClose, onDone }: { user: User | null; onClose: () => void; onDone: () => void }) {
  const toast = useToast();
  const confirm = (u: User, reason: string) =>
    call(async () => {
      const r = await api.POST("/api/users/{user_id}/mfa-reset", { params: { path: { user_id: u.id } }, body: { reason } });
      return { ...r, data: r.response.ok ? true : undefined };
    });
  return (
    <ReasonDialog
      subject={user}
      title={t("adminPeople.users.mfaTitle")}
      body={t("adminPeople.users.mfaBody", { username: user?.username ?? "" })}
      reasonLabel={t("adminPeople.reason")}
      confirmLabel={t("adminPeople.users.mfaConfirm")}
      explain={explain}
      confirm={confirm}
      done={(u) => {
        toast("success", t("adminPeople.users.mfaDone", { username: u.username }));
        onDone();
      }}
      onClose={onClose}
    />
  );
}
