import { useEffect, useState } from "react";
import { api, type ApiError, asApiError, networkError } from "../api/client";
import { describeError } from "../api/errors";
import { Alert, Button, Dialog, TextField } from "../components/ui";
import { t } from "../i18n";

/** Change one's own password (POST /api/auth/password); every session ends afterwards. */
export function PasswordDialog({ open, onClose, onChanged }: { open: boolean; onClose: () => void; onChanged: () => void }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setCurrent("");
    setNext("");
    setConfirm("");
    setError(null);
  }, [open]);
  const mismatch = confirm.length > 0 && next !== confirm;

  async function submit() {
    setBusy(true);
    try {
      const { error: failure, response } = await api.POST("/api/auth/password", {
        body: { current_password: current, new_password: next },
      });
      if (response.ok) onChanged();
      else setError(asApiError(failure, response.status));
    } catch {
      setError(networkError());
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      title={t("password.title")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button variant="primary" disabled={busy || !current || !next || next !== confirm} onClick={() => void submit()}>
            {t("password.submit")}
          </Button>
        </>
      }
    >
      <p className="muted">{t("password.help")}</p>
      {error && <Alert tone="error">{describeError(error)}</Alert>}
      <TextField label={t("password.current")} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
      <TextField label={t("password.new")} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
      <TextField
        label={t("password.confirm")}
        type="password"
        autoComplete="new-password"
        value={confirm}
        onChange={(e) => setConfirm(e.target.value)}
        error={mismatch ? t("password.mismatch") : null}
        hint={mismatch ? t("password.mismatch") : undefined}
      />
    </Dialog>
  );
}
