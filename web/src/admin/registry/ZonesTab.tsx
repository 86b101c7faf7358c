// Administration — zones, grouped by the authorisation they belong to: name, description,
// camera count, whether the perimeter is drawn (drawn on the map screen: /carte?zone=<id>);
// create, and rename / describe through PATCH /api/zones/{id}.
import { useCallback, useEffect, useState } from "react";
import { api, type Me } from "../../api/client";
import { Icon } from "../../components/icons";
import { useToast } from "../../components/toasts";
import { Alert, Badge, Button, EmptyState, TextField } from "../../components/ui";
import { t } from "../../i18n";
import { navigate } from "../../shell/router";
import { AUTH_TONE, type Authorisation, authStatusLabel, explain, type Zone } from "./registry";
import { Loaded } from "../shared/Loaded";
import { call, fieldHint, loadRegistry, type Registry, RegistryFormDialog, RegistryToolbar, SelectField, TextAreaField, useLoad } from "./shared";
import "./registry.css";

export function ZonesTab({ me }: { me: Me }) {
  const [load, reload] = useLoad(useCallback(loadRegistry, []));
  const [editing, setEditing] = useState<Zone | "new" | null>(null);
  const canWrite = me.permissions.includes("registry.write");
  const noAuthorisation = load.state === "ready" && load.data.authorisations.length === 0;
  return (
    <div className="reg-tab">
      <RegistryToolbar
        title={t("adminReg.zones.title")}
        onReload={reload}
        newLabel={t("adminReg.zones.new")}
        onNew={canWrite ? () => setEditing("new") : undefined}
        newDisabled={load.state !== "ready" || noAuthorisation}
      />
      <Loaded load={load} reload={reload} loadingLabel={t("adminReg.zones.loading")} explain={explain}>
        {(registry) => (
          <>
            {noAuthorisation ? (
              <EmptyState icon={<Icon name="map" size={40} />} title={t("adminReg.zones.emptyTitle")}>
                <p>{t("adminReg.zones.noAuthorisation")}</p>
              </EmptyState>
            ) : (
              <ZoneGroups registry={registry} canWrite={canWrite} onEdit={setEditing} />
            )}
            <ZoneDialog
              editing={editing}
              authorisations={registry.authorisations}
              onClose={() => setEditing(null)}
              onSaved={() => {
                setEditing(null);
                reload();
              }}
            />
          </>
        )}
      </Loaded>
    </div>
  );
}

function ZoneGroups({ registry, canWrite, onEdit }: { registry: Registry; canWrite: boolean; onEdit: (z: Zone) => void }) {
  return (
    <div className="reg-groups">
      {registry.authorisations.map((a) => (
        <section key={a.id} className="reg-group" aria-label={t("adminReg.zones.groupTitle", { reference: a.reference })}>
          <header className="reg-group-header">
            <h3>{t("adminReg.zones.groupTitle", { reference: a.reference })}</h3>
            <Badge tone={AUTH_TONE[a.status]}>{authStatusLabel(a.status)}</Badge>
            <span className="muted">{a.prefecture}</span>
          </header>
          <ZoneTable
            zones={registry.zones.filter((z) => z.authorisation_id === a.id)}
            registry={registry}
            canWrite={canWrite}
            onEdit={onEdit}
          />
        </section>
      ))}
    </div>
  );
}

function ZoneTable({
  zones,
  registry,
  canWrite,
  onEdit,
}: {
  zones: Zone[];
  registry: Registry;
  canWrite: boolean;
  onEdit: (z: Zone) => void;
}) {
  if (zones.length === 0) return <p className="muted reg-group-empty">{t("adminReg.zones.groupEmpty")}</p>;
  return (
    <div className="table-wrap">
      <table className="table reg-zone-table">
        <thead>
          <tr>
            <th scope="col" className="reg-c-name">{t("adminReg.zones.col.name")}</th>
            <th scope="col">{t("adminReg.zones.col.description")}</th>
            <th scope="col" className="reg-c-count">{t("adminReg.zones.col.cameras")}</th>
            <th scope="col" className="reg-c-perimeter">{t("adminReg.zones.col.perimeter")}</th>
            <th scope="col" className="col-actions reg-c-actions">{t("adminReg.zones.col.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {zones.map((z) => {
            const href = `/carte?zone=${z.id}`;
            const drawn = z.perimeter !== null;
            return (
              <tr key={z.id} data-testid={`zone-${z.id}`}>
                <td className="reg-strong">{z.name}</td>
                <td className="reg-desc">{z.description || <span className="muted">{t("adminReg.none")}</span>}</td>
                <td>{registry.cameras.filter((c) => c.zone_id === z.id).length}</td>
                <td>
                  <Badge tone={drawn ? "ok" : "muted"}>{drawn ? t("adminReg.zones.drawn") : t("adminReg.zones.notDrawn")}</Badge>
                </td>
                <td className="col-actions">
                  <a
                    className="btn btn-secondary btn-sm"
                    href={href}
                    aria-label={t("adminReg.zones.drawLabel", { name: z.name })}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(href);
                    }}
                  >
                    <Icon name="map" size={14} /> {drawn ? t("adminReg.zones.redraw") : t("adminReg.zones.draw")}
                  </a>
                  {canWrite && (
                    <Button size="sm" onClick={() => onEdit(z)} aria-label={t("adminReg.zones.editLabel", { name: z.name })}>
                      {t("adminReg.edit")}
                    </Button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

type ZoneErrors = Partial<Record<"authorisation_id" | "name" | "form", string>>;

function ZoneDialog({
  editing,
  authorisations,
  onClose,
  onSaved,
}: {
  editing: Zone | "new" | null;
  authorisations: Authorisation[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const before = editing && editing !== "new" ? editing : null;
  const [authorisationId, setAuthorisationId] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [errors, setErrors] = useState<ZoneErrors>({});
  const [busy, setBusy] = useState(false);
  const toast = useToast();

  useEffect(() => {
    setAuthorisationId(before ? String(before.authorisation_id) : authorisations.length === 1 ? String(authorisations[0]!.id) : "");
    setName(before?.name ?? "");
    setDescription(before?.description ?? "");
    setErrors({});
  }, [editing, authorisations]); // the dialog starts over for each zone

  async function save() {
    const found: ZoneErrors = {};
    if (!before && !authorisationId) found.authorisation_id = t("adminReg.required");
    if (!name.trim()) found.name = t("adminReg.required");
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const result = before
      ? await call(() =>
          api.PATCH("/api/zones/{zone_id}", {
            params: { path: { zone_id: before.id } },
            body: { name: name.trim(), description: description.trim(), reason: "" },
          }),
        )
      : await call(() =>
          api.POST("/api/zones", {
            body: { authorisation_id: Number(authorisationId), name: name.trim(), description: description.trim() },
          }),
        );
    setBusy(false);
    if ("error" in result) {
      const code = result.error.code;
      setErrors(code === "zone_name_taken" ? { name: explain(result.error) } : { form: explain(result.error) });
      return;
    }
    toast("success", t(before ? "adminReg.zones.updated" : "adminReg.zones.created", { name: result.data.name }));
    onSaved();
  }

  return (
    <RegistryFormDialog
      open={editing !== null}
      title={before ? t("adminReg.zones.editTitle", { name: before.name }) : t("adminReg.zones.createTitle")}
      onClose={onClose}
      busy={busy}
      onSubmit={() => void save()}
      formClass="reg-form"
    >
        {errors.form && <Alert tone="error">{errors.form}</Alert>}
        <SelectField
          label={t("adminReg.zones.authorisation")}
          value={authorisationId}
          disabled={before !== null}
          onChange={(e) => setAuthorisationId(e.target.value)}
          error={errors.authorisation_id}
        >
          <option value="">{t("adminReg.zones.choose")}</option>
          {authorisations.map((a) => (
            <option key={a.id} value={a.id}>
              {a.reference} — {authStatusLabel(a.status)}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t("adminReg.zones.name")}
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          autoFocus
          {...fieldHint(errors.name, t("adminReg.zones.nameHint"))}
        />
        <TextAreaField
          label={t("adminReg.zones.description")}
          rows={3}
          maxLength={5000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
    </RegistryFormDialog>
  );
}
