// Changing a camera's status (POST /api/cameras/{id}/status) with the journalled reason; the
// statuses offered follow the registry's transitions, the law (authorisation in force, camera
// limit) is the server's answer, shown in French.
import { useEffect, useState } from "react";
import { api } from "../../api/client";
import { useToast } from "../../components/toasts";
import { Alert, TextField } from "../../components/ui";
import { FormDialog } from "../shared/dialogs";
import { t } from "../../i18n";
import { type Camera, type CameraStatus, cameraStatusLabel, explain, nextStatuses } from "./registry";
import { call, SelectField } from "./shared";

export function StatusDialog({ camera, onClose, onDone }: { camera: Camera | null; onClose: () => void; onDone: () => void }) {
  const [target, setTarget] = useState<CameraStatus | "">("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const options = camera ? nextStatuses(camera.status) : [];

  useEffect(() => {
    setTarget(camera ? (nextStatuses(camera.status)[0] ?? "") : "");
    setReason("");
    setError(null);
  }, [camera]);

  async function submit() {
    if (!camera || !target) return;
    if (!reason.trim()) {
      setError(t("adminReg.reasonRequired"));
      return;
    }
    setBusy(true);
    const result = await call(() =>
      api.POST("/api/cameras/{camera_id}/status", {
        params: { path: { camera_id: camera.id } },
        body: { status: target, reason: reason.trim() },
      }),
    );
    setBusy(false);
    if ("error" in result) {
      setError(explain(result.error));
      return;
    }
    toast("success", t("adminReg.statusDlg.done", { code: camera.code, status: cameraStatusLabel(result.data.status) }));
    onDone();
  }

  return (
    <FormDialog
      open={camera !== null}
      title={camera ? t("adminReg.statusDlg.title", { code: camera.code }) : ""}
      onClose={onClose}
      onSubmit={() => void submit()}
      submitLabel={t("adminReg.statusDlg.submit")}
      submitDisabled={busy || options.length === 0}
    >
      {camera && (
        <>
          <p>{t("adminReg.statusDlg.current", { status: cameraStatusLabel(camera.status) })}</p>
          {error && <Alert tone="error">{error}</Alert>}
          {options.length === 0 ? (
            <Alert tone="info">{t("adminReg.statusDlg.final")}</Alert>
          ) : (
            <>
              <SelectField
                label={t("adminReg.statusDlg.target")}
                value={target}
                onChange={(e) => setTarget(e.target.value as CameraStatus)}
                hint={target === "in_service" ? t("adminReg.statusDlg.lawHint") : undefined}
              >
                {options.map((s) => (
                  <option key={s} value={s}>
                    {cameraStatusLabel(s)}
                  </option>
                ))}
              </SelectField>
              <TextField
                label={t("adminReg.statusDlg.reason")}
                value={reason}
                maxLength={2000}
                autoFocus
                onChange={(e) => setReason(e.target.value)}
                hint={t("adminReg.statusDlg.reasonHint")}
              />
            </>
          )}
        </>
      )}
    </FormDialog>
  );
}
