// Dialog shells the administration tabs share: the footer (cancel, then the action), the
// "give a reason, then confirm" dialog whose reason is journalled by the server, and the form
// dialog (Enter submits, the browser's own validation is off: ours speaks French).
import { type FormEvent, type ReactNode, useState } from "react";
import type { ApiError } from "../../api/client";
import { Alert, Button, Dialog, TextField } from "../../components/ui";
import { t } from "../../i18n";
import { type Result, useAction } from "./load";

/** A dialog's footer: "Annuler", then the action button. */
export function DialogActions({
  onCancel,
  onConfirm,
  label,
  variant = "primary",
  disabled = false,
}: {
  onCancel: () => void;
  onConfirm: () => void;
  label: string;
  variant?: "primary" | "danger";
  disabled?: boolean;
}) {
  return (
    <>
      <Button onClick={onCancel}>{t("common.cancel")}</Button>
      <Button variant={variant} disabled={disabled} onClick={onConfirm}>
        {label}
      </Button>
    </>
  );
}

/** Open while there is a `subject`: asks for a reason, then runs `confirm(subject, reason)` (an
 * API call). Its error is shown (through `explain`); its success calls `done(subject)` and
 * closes the dialog. The action stays disabled while the reason is empty (and while `ready` is
 * false). `children` stand between the error and the reason; without them the reason field
 * takes the focus. */
export function ReasonDialog<S>({
  subject,
  title,
  body,
  reasonLabel,
  confirmLabel,
  variant = "danger",
  ready = true,
  explain,
  confirm,
  done,
  onClose,
  children,
}: {
  subject: S | null;
  title: string;
  body?: ReactNode;
  reasonLabel: string;
  confirmLabel: string;
  variant?: "primary" | "danger";
  ready?: boolean;
  explain: (error: ApiError) => string;
  confirm: (subject: S, reason: string) => Promise<Result<unknown>>;
  done: (subject: S) => void;
  onClose: () => void;
  children?: ReactNode;
}) {
  const [reason, setReason] = useState("");
  const { busy, error, setError, run } = useAction();
  const close = () => {
    setReason("");
    setError(null);
    onClose();
  };
  const submit = () => {
    if (subject === null) return;
    void run(
      () => confirm(subject, reason),
      () => {
        done(subject);
        close();
      },
    );
  };
  return (
    <Dialog
      open={subject !== null}
      title={title}
      onClose={close}
      footer={<DialogActions onCancel={close} onConfirm={submit} label={confirmLabel} variant={variant} disabled={busy || !ready || reason.trim() === ""} />}
    >
      {body && <p>{body}</p>}
      {error && <Alert tone="error">{explain(error)}</Alert>}
      {children}
      <TextField label={reasonLabel} value={reason} autoFocus={children === undefined} required onChange={(e) => setReason(e.target.value)} />
    </Dialog>
  );
}

/** A dialog around a form: the footer's action and Enter both run `onSubmit`. */
export function FormDialog({
  open,
  title,
  onClose,
  onSubmit,
  submitLabel,
  submitDisabled = false,
  wide = false,
  formClass,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  onSubmit: () => void;
  submitLabel: string;
  submitDisabled?: boolean;
  wide?: boolean;
  formClass?: string;
  children: ReactNode;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      wide={wide}
      footer={<DialogActions onCancel={onClose} onConfirm={onSubmit} label={submitLabel} disabled={submitDisabled} />}
    >
      <form className={formClass} noValidate onSubmit={submit}>
        {children}
        <button type="submit" hidden />
      </form>
    </Dialog>
  );
}
