// Pieces the registry tabs share: the whole camera list (paged by the API) and the registry
// loaded at once, the toolbar, the form dialog, textarea / checkbox fields in this area's
// look, and each camera's conformity. Loading, the select and the dialog shells are admin/shared's.
import { useEffect, useState } from "react";
import { api, type Schemas } from "../../api/client";
import { Icon } from "../../components/icons";
import { Button } from "../../components/ui";
import { t } from "../../i18n";
import { FormDialog } from "../shared/dialogs";
import { CheckField as BaseCheck, type CheckProps, TextAreaField as BaseTextArea, type TextAreaProps } from "../shared/fields";
import { call, type Result } from "../shared/load";
import type { Authorisation, Camera, Zone } from "./registry";

// Re-exported: the registry and privacy tabs take them from here.
export { call, type Load, type Result, useLoad } from "../shared/load";
export { SelectField } from "../shared/fields";

const PAGE = 500;

/** Every camera the caller may see, page after page. */
export async function allCameras(): Promise<Result<Camera[]>> {
  const out: Camera[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await call(() => api.GET("/api/cameras", { params: { query: { limit: PAGE, offset } } }));
    if ("error" in page) return page;
    out.push(...page.data.items);
    if (out.length >= page.data.total || page.data.items.length === 0) return { data: out };
  }
}

export interface Registry {
  authorisations: Authorisation[];
  zones: Zone[];
  cameras: Camera[];
}

/** Authorisations, zones and cameras together (the tabs cross-reference them). */
export async function loadRegistry(): Promise<Result<Registry>> {
  const [auths, zones, cameras] = await Promise.all([
    call(() => api.GET("/api/authorisations")),
    call(() => api.GET("/api/zones")),
    allCameras(),
  ]);
  if ("error" in auths) return auths;
  if ("error" in zones) return zones;
  if ("error" in cameras) return cameras;
  return { data: { authorisations: auths.data, zones: zones.data, cameras: cameras.data } };
}

/** A textarea in this area's look, with its hint under it. */
export const TextAreaField = (props: TextAreaProps) => <BaseTextArea className="reg-textarea" {...props} />;

/** A checkbox in this area's look. */
export const CheckField = (props: CheckProps & { label: string }) => <BaseCheck className="reg-check" {...props} />;

/** The toolbar of a registry tab: its title, "reload", and "new" where `onNew` is given. */
export function RegistryToolbar({
  title,
  onReload,
  newLabel,
  onNew,
  newDisabled = false,
}: {
  title: string;
  onReload: () => void;
  newLabel: string;
  onNew?: () => void;
  newDisabled?: boolean;
}) {
  return (
    <div className="reg-toolbar">
      <h2>{title}</h2>
      <div className="reg-toolbar-actions">
        <Button onClick={onReload} aria-label={t("adminReg.loading")}>
          <Icon name="refresh" size={16} />
        </Button>
        {onNew && (
          <Button variant="primary" disabled={newDisabled} onClick={onNew}>
            {newLabel}
          </Button>
        )}
      </div>
    </div>
  );
}

/** The form dialog of this area: "Enregistrer" (or "Enregistrement…" while busy). */
export function RegistryFormDialog({ busy, ...props }: Omit<Parameters<typeof FormDialog>[0], "submitLabel" | "submitDisabled"> & { busy: boolean }) {
  return <FormDialog submitLabel={busy ? t("adminReg.saving") : t("adminReg.save")} submitDisabled={busy} {...props} />;
}

/** A text field whose error replaces its hint (TextField shows one line under the input). */
export function fieldHint(error: string | undefined, hint?: string): { hint?: string; error?: string | null } {
  return error ? { hint: error, error } : hint ? { hint } : {};
}

/** The last answers, shown at once when a row comes back (filters) while it is asked again. */
const conformityCache = new Map<number, Conformity>();

export type Conformity = { state: "loading" } | { state: "none" } | { state: "unknown" } | { state: "ready"; data: Schemas["ConformityOut"] };

/** The last recording's conformity (GET /api/cameras/{id}/conformity), for one row. */
export function useConformity(cameraId: number): Conformity {
  const [value, setValue] = useState<Conformity>(() => conformityCache.get(cameraId) ?? { state: "loading" });
  useEffect(() => {
    let live = true;
    void call(() => api.GET("/api/cameras/{camera_id}/conformity", { params: { path: { camera_id: cameraId } } })).then((r) => {
      const next: Conformity =
        "data" in r ? { state: "ready", data: r.data } : r.error.code === "no_recording" ? { state: "none" } : { state: "unknown" };
      conformityCache.set(cameraId, next);
      if (live) setValue(next);
    });
    return () => {
      live = false;
    };
  }, [cameraId]);
  return value;
}

