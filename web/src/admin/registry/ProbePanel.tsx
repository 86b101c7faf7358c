// "Tester le flux": POST /api/cameras/probe with the form's main stream and legal facts; shows
// codec, size and measured rate against the 2007 minimums, the verdict and its problems, and
// the first keyframe — which the API sends only to habilitated staff.
import { useState } from "react";
import { api, type ApiError, type Schemas } from "../../api/client";
import { Alert, Badge, Button, Spinner } from "../../components/ui";
import { type MessageKey, t } from "../../i18n";
import { codecLabel, conformityProblems, explain, formatFps } from "./registry";
import { call } from "./shared";

type Probe = { state: "idle" } | { state: "testing" } | { state: "error"; error: ApiError } | { state: "ready"; data: Schemas["ProbeOut"] };

export function ProbePanel({ body }: { body: Schemas["ProbeIn"] }) {
  const [probe, setProbe] = useState<Probe>({ state: "idle" });
  const hasUrl = body.url.trim().length > 0;

  async function run() {
    setProbe({ state: "testing" });
    const result = await call(() => api.POST("/api/cameras/probe", { body: { ...body, url: body.url.trim() } }));
    setProbe("data" in result ? { state: "ready", data: result.data } : { state: "error", error: result.error });
  }

  const tested = probe.state === "ready" || probe.state === "error";
  return (
    <section className="reg-probe" aria-label={t("adminReg.probe.title")}>
      <div className="reg-probe-head">
        <Button onClick={() => void run()} disabled={!hasUrl || probe.state === "testing"}>
          {tested ? t("adminReg.probe.refresh") : t("adminReg.probe.test")}
        </Button>
        <span className="muted reg-probe-note">{hasUrl ? t("adminReg.probe.journal") : t("adminReg.probe.needUrl")}</span>
      </div>
      {probe.state === "testing" && <Spinner label={t("adminReg.probe.testing")} />}
      {probe.state === "error" && <Alert tone="error">{explain(probe.error)}</Alert>}
      {probe.state === "ready" && <ProbeResult data={probe.data} />}
    </section>
  );
}

function ProbeResult({ data }: { data: Schemas["ProbeOut"] }) {
  const mins = data.legal_minimums;
  const problems = conformityProblems(data.width, data.height, data.fps, mins);
  const shown = !data.conforming && problems.length === 0 ? data.problems : problems;
  return (
    <div className="reg-probe-result" data-testid="probe-result">
      <div className="reg-probe-facts">
        <dl className="reg-facts">
          <dt>{t("adminReg.probe.codec")}</dt>
          <dd>{codecLabel(data.codec)}</dd>
          <dt>{t("adminReg.probe.resolution")}</dt>
          <dd className={data.width < mins.width || data.height < mins.height ? "reg-bad" : undefined}>
            {data.width}×{data.height}
            <span className="muted"> · {t("adminReg.probe.required", { value: `${mins.width}×${mins.height}` })}</span>
          </dd>
          <dt>{t("adminReg.probe.fps")}</dt>
          <dd className={data.fps + 0.05 < mins.fps ? "reg-bad" : undefined}>
            {t("adminReg.probe.fpsValue", { fps: formatFps(data.fps) })}
            <span className="muted"> · {t("adminReg.probe.required", { value: t("adminReg.probe.fpsValue", { fps: mins.fps }) })}</span>
          </dd>
        </dl>
        <div className={`reg-verdict ${data.conforming ? "reg-verdict-ok" : "reg-verdict-bad"}`} role="status">
          <Badge tone={data.conforming ? "ok" : "error"}>
            {data.conforming ? t("adminReg.probe.conforming") : t("adminReg.probe.notConforming")}
          </Badge>
          {shown.length > 0 && (
            <ul className="reg-problems">
              {shown.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </div>
        <div className="muted reg-probe-url">{t("adminReg.probe.tested", { url: data.url })}</div>
      </div>
      <div className="reg-preview">
        {data.preview.available && data.preview.jpeg_base64 ? (
          <figure>
            <img src={`data:image/jpeg;base64,${data.preview.jpeg_base64}`} alt={t("adminReg.probe.previewAlt")} />
            <figcaption className="muted">{t(data.preview.masked ? "adminReg.probe.previewMasked" : "adminReg.probe.preview")}</figcaption>
          </figure>
        ) : (
          <div className="reg-preview-reserved" role="note">
            {t(reservedKey(data.preview.reason))}
          </div>
        )}
      </div>
    </div>
  );
}

/** Why the preview is withheld: no habilitation, or a registered camera it does not cover or
 * that is not in lawful service. */
function reservedKey(reason: string | null | undefined): MessageKey {
  if (reason === "camera_out_of_scope") return "adminReg.probe.previewReserved.camera_out_of_scope";
  if (reason === "camera_not_lawful") return "adminReg.probe.previewReserved.camera_not_lawful";
  return "adminReg.probe.previewReserved";
}
