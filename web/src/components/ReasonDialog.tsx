// A dialog that asks why before an action the API journals with its reason (cancel an
// export or a disclosure, produce an anonymised copy…): the reason is required, the API's
// refusal is shown in the dialog, nothing is sent twice while a call runs.
import { type ReactNode, useEffect, useState } from "react";
import { type ApiError, networkError } from "../api/client";
import { describeError } from "../api/errors";
import { Alert, Button, Dialog, TextField } from "./ui";

export interface ReasonDialogProps {
  open: boolean;
  title: string;
  body: ReactNode;
  reasonLabel: string;
  confirmLabel: string;
  closeLabel: string;
  danger?: boolean;
  onClose: () => void;
  /** Send the action with the reason; resolves to the API's error, or null when done. */
  onSubmit: (reason: string) => Promise<ApiError | null>;
}

export function ReasonDialog({ open, title, body, reasonLabel, confirmLabel, closeLabel, danger = false, onClose, onSubmit }: ReasonDialogProps) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setReason("");
    setError(null);
  }, [open, title]);

  async function confirm() {
    setBusy(true);
    try {
      setError(await onSubmit(reason.trim()));
    } catch {
      setError(networkError());
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{closeLabel}</Button>
          <Button variant={danger ? "danger" : "primary"} disabled={busy || reason.trim() === ""} onClick={() => void confirm()}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {body}
      {error && <Alert tone="error">{describeError(error)}</Alert>}
      <TextField label={reasonLabel} value={reason} onChange={(e) => setReason(e.target.value)} autoFocus required />
    </Dialog>
  );
}
