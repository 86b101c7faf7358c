// The reference picture's masks: the server burns the masks in force into it for a camera it
// masks (P1); the raw picture only on an explicit request with a reason (journalled).
import { useState } from "react";
import { Button } from "../../components/ui";
import { t } from "../../i18n";
import { TextAreaField } from "../registry/shared";
import { type Frame, loadFrame } from "./masks";

export function RawFrameToggle({ cameraId, frame, onFrame }: { cameraId: number; frame: Frame; onFrame: (f: Frame) => void }) {
  const [raw, setRaw] = useState(false);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const fetch = async (why?: string) => {
    setBusy(true);
    onFrame(await loadFrame(cameraId, why));
    setBusy(false);
  };
  const toggle = (on: boolean) => {
    setRaw(on);
    if (!on && frame.kind === "picture" && !frame.masked) void fetch(); // back to the masked picture
  };
  return (
    <div className="mk-raw">
      {frame.kind === "picture" && (
        <p className="mk-muted">{t(frame.masked ? "privacy.raw.maskedNote" : "privacy.raw.rawNote")}</p>
      )}
      <label className="mk-toggle">
        <input type="checkbox" checked={raw} disabled={busy} onChange={(e) => toggle(e.target.checked)} />
        <span>{t("privacy.raw.toggle")}</span>
      </label>
      {raw && (
        <div className="mk-raw-form">
          <TextAreaField
            label={t("privacy.raw.reason")}
            hint={t("privacy.raw.reasonHint")}
            value={reason}
            rows={2}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
          />
          <Button size="sm" variant="primary" disabled={!reason.trim() || busy} onClick={() => void fetch(reason.trim())}>
            {t("privacy.raw.show")}
          </Button>
        </div>
      )}
    </div>
  );
}
