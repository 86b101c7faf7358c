// The camera form, in sections: identity, location, streams (with "Tester le flux"), legal
// frame (zone → authorisation and its retention bounds, placement, site, field of view, fast
// flows → the 2007 minimums, live). Obvious mistakes are caught here; the law is the
// server's, and each refusal lands on its field. Editing shows the last recording's conformity.
import { type ReactNode, useEffect, useState } from "react";
import { api } from "../../api/client";
import { useToast } from "../../components/toasts";
import { Alert, Badge, TextField } from "../../components/ui";
import { t } from "../../i18n";
import { siteDateTime } from "../../site";
import {
  type CameraErrors,
  type CameraForm,
  cameraFormOf,
  cameraInput,
  cameraPatch,
  cameraServerErrors,
  EMPTY_CAMERA,
  validateCamera,
} from "./cameraForm";
import { ProbePanel } from "./ProbePanel";
import {
  AUTH_TONE,
  authStatusLabel,
  CAMERA_KINDS,
  type Camera,
  cameraStatusLabel,
  conformityProblems,
  FIELDS_OF_VIEW,
  fovLabel,
  kindLabel,
  legalMinimums,
  PLACEMENTS,
  placementLabel,
  SITE_CATEGORIES,
  siteLabel,
} from "./registry";
import { call, CheckField, fieldHint, type Registry, RegistryFormDialog, SelectField, useConformity } from "./shared";

const CREATE_STATUSES = ["planned", "awaiting_authorisation", "in_service"] as const;

export function CameraDialog({
  editing,
  registry,
  onClose,
  onSaved,
}: {
  editing: Camera | "new" | null;
  registry: Registry;
  onClose: () => void;
  onSaved: () => void;
}) {
  const before = editing && editing !== "new" ? editing : null;
  const creating = editing === "new";
  const [form, setForm] = useState<CameraForm>(EMPTY_CAMERA);
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<CameraErrors>({});
  const [busy, setBusy] = useState(false);
  const toast = useToast();

  useEffect(() => {
    setForm(before ? cameraFormOf(before) : EMPTY_CAMERA);
    setReason("");
    setErrors({});
  }, [editing]); // the form starts over for each camera

  const set = <K extends keyof CameraForm>(key: K, value: CameraForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined, form: undefined }));
  };

  async function save() {
    const found = validateCamera(form, creating);
    if (before && !reason.trim()) found.form = t("adminReg.reasonRequired");
    setErrors(found);
    if (Object.values(found).some(Boolean)) return;
    setBusy(true);
    const result = before
      ? await call(() =>
          api.PATCH("/api/cameras/{camera_id}", {
            params: { path: { camera_id: before.id } },
            body: cameraPatch(before, form, reason),
          }),
        )
      : await call(() => api.POST("/api/cameras", { body: cameraInput(form) }));
    setBusy(false);
    if ("error" in result) {
      setErrors(cameraServerErrors(result.error));
      return;
    }
    toast("success", t(before ? "adminReg.form.updated" : "adminReg.form.created", { code: result.data.code }));
    onSaved();
  }

  const fieldErrors = Object.entries(errors).filter(([k, v]) => k !== "form" && v).length;
  return (
    <RegistryFormDialog
      open={editing !== null}
      title={before ? t("adminReg.form.editTitle", { code: before.code }) : t("adminReg.form.createTitle")}
      onClose={onClose}
      wide
      busy={busy}
      onSubmit={() => void save()}
      formClass="reg-form reg-camera-form"
    >
        {errors.form && <Alert tone="error">{errors.form}</Alert>}
        {!errors.form && fieldErrors > 0 && <Alert tone="error">{t("adminReg.fixErrors")}</Alert>}
        <IdentitySection form={form} errors={errors} creating={creating} set={set} />
        <LocationSection form={form} errors={errors} set={set} />
        <StreamsSection form={form} errors={errors} before={before} set={set} />
        <LegalSection form={form} errors={errors} registry={registry} creating={creating} set={set} />
        {before && <ConformitySection camera={before} />}
        {before && (
          <TextField
            label={t("adminReg.form.editReason")}
            value={reason}
            maxLength={2000}
            onChange={(e) => setReason(e.target.value)}
            hint={t("adminReg.reasonHint")}
          />
        )}
    </RegistryFormDialog>
  );
}

type Setter = <K extends keyof CameraForm>(key: K, value: CameraForm[K]) => void;
interface SectionProps {
  form: CameraForm;
  errors: CameraErrors;
  set: Setter;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="reg-section">
      <legend>{title}</legend>
      {children}
    </fieldset>
  );
}

function IdentitySection({ form, errors, creating, set }: SectionProps & { creating: boolean }) {
  return (
    <Section title={t("adminReg.form.sec.identity")}>
      <div className="reg-grid">
        <TextField
          label={t("adminReg.form.code")}
          value={form.code}
          disabled={!creating}
          maxLength={32}
          autoFocus={creating}
          onChange={(e) => set("code", e.target.value)}
          {...fieldHint(errors.code, creating ? t("adminReg.form.codeHint") : undefined)}
        />
        <TextField label={t("adminReg.form.name")} value={form.name} maxLength={200} onChange={(e) => set("name", e.target.value)} {...fieldHint(errors.name)} />
        <SelectField label={t("adminReg.form.kind")} value={form.kind} onChange={(e) => set("kind", e.target.value as CameraForm["kind"])}>
          {CAMERA_KINDS.map((k) => (
            <option key={k} value={k}>
              {kindLabel(k)}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t("adminReg.form.commissioned")}
          type="date"
          value={form.commissioned_on}
          onChange={(e) => set("commissioned_on", e.target.value)}
        />
      </div>
    </Section>
  );
}

function LocationSection({ form, errors, set }: SectionProps) {
  const number = (field: "latitude" | "longitude" | "azimuth_deg" | "view_angle_deg" | "view_range_m", label: string, hint?: string) => (
    <TextField label={label} inputMode="decimal" value={form[field]} onChange={(e) => set(field, e.target.value)} {...fieldHint(errors[field], hint)} />
  );
  return (
    <Section title={t("adminReg.form.sec.location")}>
      <TextField label={t("adminReg.form.address")} value={form.address} maxLength={300} onChange={(e) => set("address", e.target.value)} />
      <div className="reg-grid reg-grid-5">
        {number("latitude", t("adminReg.form.latitude"))}
        {number("longitude", t("adminReg.form.longitude"))}
        {number("azimuth_deg", t("adminReg.form.azimuth"), t("adminReg.form.azimuthHint"))}
        {number("view_angle_deg", t("adminReg.form.angle"))}
        {number("view_range_m", t("adminReg.form.range"))}
      </div>
    </Section>
  );
}

function StreamsSection({ form, errors, before, set }: SectionProps & { before: Camera | null }) {
  const keep = before?.main_stream_url ? t("adminReg.form.mainUrlKeep", { url: before.main_stream_url }) : t("adminReg.form.mainUrlHint");
  return (
    <Section title={t("adminReg.form.sec.streams")}>
      <TextField
        label={t("adminReg.form.mainUrl")}
        value={form.main_stream_url}
        maxLength={1000}
        autoComplete="off"
        spellCheck={false}
        placeholder="rtsp://10.0.0.7:554/Streaming/Channels/101"
        onChange={(e) => set("main_stream_url", e.target.value)}
        {...fieldHint(errors.main_stream_url, keep)}
      />
      <TextField
        label={t("adminReg.form.subUrl")}
        value={form.sub_stream_url}
        maxLength={1000}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => set("sub_stream_url", e.target.value)}
        {...fieldHint(errors.sub_stream_url, before?.sub_stream_url ? t("adminReg.form.subUrlKeep", { url: before.sub_stream_url }) : undefined)}
      />
      <ProbePanel
        body={{
          url: form.main_stream_url,
          field_of_view: form.field_of_view,
          fast_flows: form.fast_flows,
          placement: form.placement,
          site_category: form.site_category,
        }}
      />
    </Section>
  );
}

function LegalSection({ form, errors, registry, creating, set }: SectionProps & { registry: Registry; creating: boolean }) {
  const zone = registry.zones.find((z) => String(z.id) === form.zone_id);
  const auth = zone ? registry.authorisations.find((a) => a.id === zone.authorisation_id) : undefined;
  const mins = legalMinimums(form.field_of_view, form.fast_flows);
  const lawful = auth?.status === "valid" || auth?.status === "renewal_due";
  return (
    <Section title={t("adminReg.form.sec.legal")}>
      <div className="reg-grid">
        <SelectField label={t("adminReg.form.zone")} value={form.zone_id} onChange={(e) => set("zone_id", e.target.value)} error={errors.zone_id}>
          <option value="">{t("adminReg.form.zoneChoose")}</option>
          {registry.zones.map((z) => (
            <option key={z.id} value={z.id}>
              {z.name} ({z.authorisation_reference})
            </option>
          ))}
        </SelectField>
        <TextField
          label={t("adminReg.form.retention")}
          inputMode="numeric"
          value={form.retention_days}
          onChange={(e) => set("retention_days", e.target.value)}
          {...fieldHint(
            errors.retention_days,
            auth ? t("adminReg.form.authBounds", { min: auth.retention_min_days ?? 1, max: auth.retention_max_days }) : undefined,
          )}
        />
      </div>
      {auth && (
        <div className="reg-auth-line" data-testid="camera-authorisation">
          <span>{t("adminReg.form.authorisationOf", { reference: auth.reference })}</span>
          <Badge tone={AUTH_TONE[auth.status]}>{authStatusLabel(auth.status)}</Badge>
          {auth.camera_limit !== null && <span className="muted">{t("adminReg.form.authLimit", { limit: auth.camera_limit })}</span>}
        </div>
      )}
      <div className="reg-grid">
        <SelectField label={t("adminReg.form.placement")} value={form.placement} onChange={(e) => set("placement", e.target.value as CameraForm["placement"])}>
          {PLACEMENTS.map((p) => (
            <option key={p} value={p}>
              {placementLabel(p)}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("adminReg.form.site")} value={form.site_category} onChange={(e) => set("site_category", e.target.value as CameraForm["site_category"])}>
          {SITE_CATEGORIES.map((s) => (
            <option key={s} value={s}>
              {siteLabel(s)}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("adminReg.form.fov")} value={form.field_of_view} onChange={(e) => set("field_of_view", e.target.value as CameraForm["field_of_view"])}>
          {FIELDS_OF_VIEW.map((f) => (
            <option key={f} value={f}>
              {fovLabel(f)}
            </option>
          ))}
        </SelectField>
        {creating ? (
          <SelectField
            label={t("adminReg.form.status")}
            value={form.status}
            onChange={(e) => set("status", e.target.value as CameraForm["status"])}
            error={errors.status}
            hint={auth && !lawful && form.status === "in_service" ? t("adminReg.form.serviceBlocked", { reference: auth.reference }) : undefined}
          >
            {CREATE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {cameraStatusLabel(s)}
              </option>
            ))}
          </SelectField>
        ) : (
          <div />
        )}
      </div>
      <CheckField label={t("adminReg.form.fastFlows")} checked={form.fast_flows} onChange={(on) => set("fast_flows", on)} />
      <div className="reg-minimums" data-testid="legal-minimums" aria-live="polite">
        <div className="reg-minimums-title">{t("adminReg.form.minimums")}</div>
        <div className="reg-minimums-value">{t("adminReg.form.minimumsValue", { width: mins.width, height: mins.height, fps: mins.fps })}</div>
        <div className="muted">
          {t(form.field_of_view === "narrow" ? "adminReg.form.minimumsWhy.narrow" : "adminReg.form.minimumsWhy.wide")}
          {form.field_of_view === "narrow" && form.fast_flows && ` ${t("adminReg.form.minimumsWhy.fast")}`}
        </div>
      </div>
    </Section>
  );
}

function ConformitySection({ camera }: { camera: Camera }) {
  const c = useConformity(camera.id);
  return (
    <Section title={t("adminReg.conf.title")}>
      {c.state === "loading" && <span className="muted">{t("adminReg.conf.loading")}</span>}
      {c.state === "none" && <p className="muted">{t("adminReg.error.no_recording")}</p>}
      {c.state === "unknown" && <p className="muted">{t("adminReg.cams.conformityUnknown")}</p>}
      {c.state === "ready" && (
        <div className="reg-verdict" role="status">
          <Badge tone={c.data.conforming ? "ok" : "error"}>
            {c.data.conforming ? t("adminReg.probe.conforming") : t("adminReg.probe.notConforming")}
          </Badge>
          <span className="muted">{t("adminReg.conf.segment", { at: siteDateTime(c.data.segment_start) })}</span>
          <ul className="reg-problems">
            {conformityProblems(c.data.width, c.data.height, c.data.fps, c.data.legal_minimums).map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
    </Section>
  );
}
