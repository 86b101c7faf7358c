// Administration › Users: every individual account (never deleted, only disabled), created,
// edited and MFA-reset by holders of users.write; read-only for users.read (A1, A8).
import { useCallback, useState } from "react";
import { api, type ApiError, type Me, type Schemas } from "../../api/client";
import { Icon } from "../../components/icons";
import { useToast } from "../../components/toasts";
import { Alert, Badge, Button, Dialog, EmptyState, ErrorState, Spinner, TextField } from "../../components/ui";
import { type MessageKey, t } from "../../i18n";
import { siteDateTime } from "../../site";
import { call, CheckField, explain, SelectField, useLoad } from "./shared";
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
      <div className="ap-toolbar">
        <div>
          <h2 className="ap-title">{t("adminPeople.users.title")}</h2>
          <p className="muted ap-lead">{t("adminPeople.users.lead")}</p>
        </div>
        {canWrite && (
          <Button variant="primary" onClick={() => setCreating(true)}>
            {t("adminPeople.users.create")}
          </Button>
        )}
      </div>
      {!canWrite && <Alert tone="info">{t("adminPeople.readOnly")}</Alert>}
      {load.state === "loading" && <Spinner label={t("adminPeople.loading")} />}
      {load.state === "error" && <ErrorState message={explain(load.error)} onRetry={reload} />}
      {load.state === "ready" && load.data.items.length === 0 && (
        <EmptyState icon={<Icon name="admin" size={40} />} title={t("adminPeople.users.emptyTitle")}>
          <p>{t("adminPeople.users.emptyBody")}</p>
        </EmptyState>
      )}
      {load.state === "ready" && load.data.items.length > 0 && (
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
              {load.data.items.map((u) => (
                <UserRow key={u.id} user={u} self={u.id === me.user_id} canWrite={canWrite} onEdit={() => setEditing(u)} onReset={() => setResetting(u)} />
              ))}
            </tbody>
          </table>
          <div className="table-footer muted">{t("adminPeople.users.count", { count: load.data.total })}</div>
        </div>
      )}
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
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [generated, setGenerated] = useState<string | null>(null);
  const toast = useToast();
  const close = () => {
    setForm(empty);
    setError(null);
    setGenerated(null);
    onClose();
  };

  async function submit() {
    setBusy(true);
    const body = { ...form, role: form.role as User["role"], password: form.password || null };
    const result = await call(() => api.POST("/api/users", { body }));
    setBusy(false);
    if ("error" in result) return setError(result.error);
    toast("success", t("adminPeople.users.created", { username: result.data.user.username }));
    onDone();
    if (result.data.generated_password) setGenerated(result.data.generated_password);
    else close();
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
      footer={
        <>
          <Button onClick={close}>{t("adminPeople.cancel")}</Button>
          <Button variant="primary" disabled={busy || !ready} onClick={() => void submit()}>
            {t("adminPeople.users.createSubmit")}
          </Button>
        </>
      }
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
  const [reason, setReason] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const close = () => {
    setRole(null);
    setActive(null);
    setReason("");
    setError(null);
    onClose();
  };
  if (!user) return <Dialog open={false} title="" onClose={close} children={null} />;
  const roleNow = role ?? user.role;
  const activeNow = active ?? user.active;
  const changed = roleNow !== user.role || activeNow !== user.active;

  async function submit() {
    if (!user) return;
    setBusy(true);
    const body = {
      ...(roleNow !== user.role ? { role: roleNow as User["role"] } : {}),
      ...(activeNow !== user.active ? { active: activeNow } : {}),
      reason,
    };
    const result = await call(() => api.PATCH("/api/users/{user_id}", { params: { path: { user_id: user.id } }, body }));
    setBusy(false);
    if ("error" in result) return setError(result.error);
    toast("success", t("adminPeople.users.saved", { username: user.username }));
    onDone();
    close();
  }

  return (
    <Dialog
      open
      title={t("adminPeople.users.editTitle", { username: user.username })}
      onClose={close}
      footer={
        <>
          <Button onClick={close}>{t("adminPeople.cancel")}</Button>
          <Button variant="primary" disabled={busy || !changed || reason.trim() === ""} onClick={() => void submit()}>
            {t("adminPeople.users.save")}
          </Button>
        </>
      }
    >
      {error && <Alert tone="error">{explain(error)}</Alert>}
      <RoleSelect value={roleNow} onChange={setRole} />
      <CheckField label={t("adminPeople.users.activeField")} checked={activeNow} onChange={setActive} />
      <p className="field-hint ap-hint">{t("adminPeople.users.editHint")}</p>
      <TextField label={t("adminPeople.reason")} value={reason} required onChange={(e) => setReason(e.target.value)} />
    </Dialog>
  );
}

function MfaResetDialog({ user, onClose, onDone }: { user: User | null; onClose: () => void; onDone: () => void }) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const close = () => {
    setReason("");
    setError(null);
    onClose();
  };

  async function submit() {
    if (!user) return;
    setBusy(true);
    const result = await call(async () => {
      const r = await api.POST("/api/users/{user_id}/mfa-reset", { params: { path: { user_id: user.id } }, body: { reason } });
      return { ...r, data: r.response.ok ? true : undefined };
    });
    setBusy(false);
    if ("error" in result) return setError(result.error);
    toast("success", t("adminPeople.users.mfaDone", { username: user.username }));
    onDone();
    close();
  }

  return (
    <Dialog
      open={user !== null}
      title={t("adminPeople.users.mfaTitle")}
      onClose={close}
      footer={
        <>
          <Button onClick={close}>{t("adminPeople.cancel")}</Button>
          <Button variant="danger" disabled={busy || reason.trim() === ""} onClick={() => void submit()}>
            {t("adminPeople.users.mfaConfirm")}
          </Button>
        </>
      }
    >
      <p>{t("adminPeople.users.mfaBody", { username: user?.username ?? "" })}</p>
      {error && <Alert tone="error">{explain(error)}</Alert>}
      <TextField label={t("adminPeople.reason")} value={reason} autoFocus required onChange={(e) => setReason(e.target.value)} />
    </Dialog>
  );
}
