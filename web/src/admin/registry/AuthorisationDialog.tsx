// The dialog that records a new prefectoral authorisation or amends/renews one (with the
// journalled reason): every field of the arrêté, purposes as checkboxes, validated, and the
// API's refusals shown next to their field in French.
import { useEffect, useState } from "react";
import { api } from "../../api/client";
import { useToast } from "../../components/toasts";
import { Alert, TextField } from "../../components/ui";
import { t } from "../../i18n";
import {
  type AuthErrors,
  type AuthForm,
  authFormOf,
  authInput,
  authPatch,
  authServerErrors,
  EMPTY_AUTH,
  validateAuth,
} from "./authorisationForm";
import { type Authorisation, defaultExpiry, formatDay, PURPOSES, purposeLabel } from "./registry";
import { call, CheckField, fieldHint, RegistryFormDialog, TextAreaField } from "./shared";

export function AuthorisationDialog({
  editing,
  onClose,
  onSaved,
}: {
  editing: Authorisation | "new" | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const creating = editing === "new";
  const before = editing && editing !== "new" ? editing : null;
  const [form, setForm] = useState<AuthForm>(EMPTY_AUTH);
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<AuthErrors>({});
  const [busy, setBusy] = useState(false);
  const toast = useToast();

  useEffect(() => {
    setForm(before ? authFormOf(before) : EMPTY_AUTH);
    setReason("");
    setErrors({});
  }, [editing]);

  const set = <K extends keyof AuthForm>(key: K, value: AuthForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  async function save() {
    const found = validateAuth(form, creating);
    if (!creating && !reason.trim()) found.form = t("adminReg.reasonRequired");
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const result = before
      ? await call(() =>
          api.PATCH("/api/authorisations/{authorisation_id}", {
            params: { path: { authorisation_id: before.id } },
            body: authPatch(before, form, reason),
          }),
        )
      : await call(() => api.POST("/api/authorisations", { body: authInput(form) }));
    setBusy(false);
    if ("error" in result) {
      setErrors(authServerErrors(result.error));
      return;
    }
    const reference = result.data.reference;
    toast("success", t(before ? "adminReg.auth.updated" : "adminReg.auth.created", { reference }));
    onSaved();
  }

  const title = before ? t("adminReg.auth.editTitle", { reference: before.reference }) : t("adminReg.auth.createTitle");
  const fieldErrors = Object.keys(errors).filter((k) => k !== "form").length;
  return (
    <RegistryFormDialog open={editing !== null} title={title} onClose={onClose} wide busy={busy} onSubmit={() => void save()} formClass="reg-form">
        {errors.form && <Alert tone="error">{errors.form}</Alert>}
        {!errors.form && fieldErrors > 0 && <Alert tone="error">{t("adminReg.fixErrors")}</Alert>}
        <div className="reg-grid">
          <TextField
            label={t("adminReg.auth.reference")}
            value={form.reference}
            onChange={(e) => set("reference", e.target.value)}
            disabled={!creating}
            maxLength={100}
            autoFocus={creating}
            {...fieldHint(errors.reference, t("adminReg.auth.referenceHint"))}
          />
          <TextField
            label={t("adminReg.auth.prefecture")}
            value={form.prefecture}
            onChange={(e) => set("prefecture", e.target.value)}
            maxLength={200}
            placeholder="Préfecture de la Drôme"
            {...fieldHint(errors.prefecture)}
          />
          <TextField
            label={t("adminReg.auth.issuedOn")}
            type="date"
            value={form.issued_on}
            onChange={(e) => set("issued_on", e.target.value)}
            {...fieldHint(errors.issued_on)}
          />
          <TextField
            label={t("adminReg.auth.expiresOn")}
            type="date"
            value={form.expires_on}
            onChange={(e) => set("expires_on", e.target.value)}
            {...fieldHint(
              errors.expires_on,
              form.issued_on && !form.expires_on
                ? t("adminReg.auth.expiresDefault", { date: formatDay(defaultExpiry(form.issued_on)) })
                : t("adminReg.auth.expiresHint"),
            )}
          />
          <TextField
            label={t("adminReg.auth.retentionMax")}
            inputMode="numeric"
            value={form.retention_max_days}
            onChange={(e) => set("retention_max_days", e.target.value)}
            {...fieldHint(errors.retention_max_days, t("adminReg.auth.retentionMaxHint"))}
          />
          <TextField
            label={t("adminReg.auth.retentionMin")}
            inputMode="numeric"
            value={form.retention_min_days}
            onChange={(e) => set("retention_min_days", e.target.value)}
            {...fieldHint(errors.retention_min_days, t("adminReg.auth.retentionMinHint"))}
          />
          <TextField
            label={t("adminReg.auth.cameraLimit")}
            inputMode="numeric"
            value={form.camera_limit}
            onChange={(e) => set("camera_limit", e.target.value)}
            {...fieldHint(errors.camera_limit, t("adminReg.auth.cameraLimitHint"))}
          />
        </div>
        <fieldset className={`reg-fieldset ${errors.purposes ? "reg-fieldset-invalid" : ""}`}>
          <legend>{t("adminReg.auth.purposes")}</legend>
          <div className="reg-checks">
            {PURPOSES.map((p) => (
              <CheckField
                key={p}
                label={purposeLabel(p)}
                checked={form.purposes.includes(p)}
                onChange={(on) => set("purposes", on ? [...form.purposes, p] : form.purposes.filter((x) => x !== p))}
              />
            ))}
          </div>
          {errors.purposes && <div className="field-hint reg-error-text">{errors.purposes}</div>}
        </fieldset>
        <div className="reg-grid">
          <TextAreaField
            label={t("adminReg.auth.recipients")}
            hint={t("adminReg.auth.recipientsHint")}
            rows={3}
            value={form.recipients}
            onChange={(e) => set("recipients", e.target.value)}
          />
          <TextAreaField label={t("adminReg.auth.notes")} rows={3} maxLength={5000} value={form.notes} onChange={(e) => set("notes", e.target.value)} />
        </div>
        {!creating && (
          <TextField
            label={t("adminReg.reason")}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            maxLength={2000}
            hint={t("adminReg.reasonHint")}
          />
        )}
    </RegistryFormDialog>
  );
}
