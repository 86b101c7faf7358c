// Administration — prefectoral authorisations (CSI L252-1, L252-4): status computed by the
// API, rows needing action highlighted (renewal file due: warn; expired: error) with a banner
// counting them; create and amend dialogs for those who write the registry.
import { useCallback, useState } from "react";
import type { Me } from "../../api/client";
import { Icon } from "../../components/icons";
import { Alert, Badge, Button, EmptyState } from "../../components/ui";
import { t } from "../../i18n";
import { AuthorisationDialog } from "./AuthorisationDialog";
import {
  AUTH_TONE,
  type Authorisation,
  authorisationHighlight,
  authStatusLabel,
  type Camera,
  explain,
  formatDay,
  needingAction,
} from "./registry";
import { Loaded } from "../shared/Loaded";
import { loadRegistry, type Registry, RegistryToolbar, useLoad } from "./shared";
import "./registry.css";

export function AuthorisationsTab({ me }: { me: Me }) {
  const [load, reload] = useLoad(useCallback(loadRegistry, []));
  const [editing, setEditing] = useState<Authorisation | "new" | null>(null);
  const canWrite = me.permissions.includes("registry.write");

  return (
    <div className="reg-tab">
      <RegistryToolbar
        title={t("adminReg.auth.title")}
        onReload={reload}
        newLabel={t("adminReg.auth.new")}
        onNew={canWrite ? () => setEditing("new") : undefined}
      />
      {!canWrite && <p className="muted reg-lead">{t("adminReg.readOnly")}</p>}
      <Loaded load={load} reload={reload} loadingLabel={t("adminReg.auth.loading")} explain={explain}>
        {(registry) => <AuthorisationsTable registry={registry} canWrite={canWrite} onEdit={setEditing} onNew={() => setEditing("new")} />}
      </Loaded>
      <AuthorisationDialog
        editing={editing}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          reload();
        }}
      />
    </div>
  );
}

function AuthorisationsTable({
  registry,
  canWrite,
  onEdit,
  onNew,
}: {
  registry: Registry;
  canWrite: boolean;
  onEdit: (a: Authorisation) => void;
  onNew: () => void;
}) {
  const rows = registry.authorisations;
  if (rows.length === 0) {
    return (
      <EmptyState
        icon={<Icon name="journal" size={40} />}
        title={t("adminReg.auth.emptyTitle")}
        action={canWrite ? <Button variant="primary" onClick={onNew}>{t("adminReg.auth.new")}</Button> : undefined}
      >
        <p>{t("adminReg.auth.emptyBody")}</p>
      </EmptyState>
    );
  }
  const action = needingAction(rows);
  return (
    <>
      {(action.expired > 0 || action.renewal > 0) && (
        <div className="reg-banner" data-testid="auth-banner">
          <Alert tone={action.expired > 0 ? "error" : "warning"}>
            {action.expired > 0 && <strong className="reg-banner-line">{t("adminReg.auth.bannerExpired", { n: action.expired })}</strong>}
            {action.renewal > 0 && <strong className="reg-banner-line">{t("adminReg.auth.bannerRenewal", { n: action.renewal })}</strong>}
            <span>{t("adminReg.auth.bannerAction")}</span>
          </Alert>
        </div>
      )}
      <div className="table-wrap">
        <table className="table" aria-label={t("adminReg.auth.title")}>
          <thead>
            <tr>
              <th scope="col">{t("adminReg.auth.col.reference")}</th>
              <th scope="col">{t("adminReg.auth.col.prefecture")}</th>
              <th scope="col">{t("adminReg.auth.col.issued")}</th>
              <th scope="col">{t("adminReg.auth.col.expires")}</th>
              <th scope="col">{t("adminReg.auth.col.status")}</th>
              <th scope="col">{t("adminReg.auth.col.renewal")}</th>
              <th scope="col">{t("adminReg.auth.col.cameras")}</th>
              <th scope="col">{t("adminReg.auth.col.retention")}</th>
              {canWrite && <th scope="col" className="col-actions">{t("adminReg.auth.col.actions")}</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <AuthorisationRow key={a.id} a={a} cameras={registry.cameras} canWrite={canWrite} onEdit={() => onEdit(a)} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function AuthorisationRow({
  a,
  cameras,
  canWrite,
  onEdit,
}: {
  a: Authorisation;
  cameras: Camera[];
  canWrite: boolean;
  onEdit: () => void;
}) {
  const highlight = authorisationHighlight(a.status);
  const mine = cameras.filter((c) => c.authorisation_id === a.id);
  const serving = mine.filter((c) => c.status === "in_service").length;
  const renewal =
    a.status === "renewal_due"
      ? t("adminReg.auth.renewalLate", { date: formatDay(a.renewal_file_due_on) })
      : a.status === "expired"
        ? t("adminReg.auth.renewalExpired")
        : t("adminReg.auth.renewalBy", { date: formatDay(a.renewal_file_due_on) });
  return (
    <tr className={highlight ? `reg-row-${highlight}` : undefined} data-testid={`auth-${a.reference}`}>
      <td className="nowrap">
        <span className="reg-strong">{a.reference}</span>
      </td>
      <td>{a.prefecture}</td>
      <td className="nowrap">{formatDay(a.issued_on)}</td>
      <td className="nowrap">{formatDay(a.expires_on)}</td>
      <td className="col-status">
        <Badge tone={AUTH_TONE[a.status]}>{authStatusLabel(a.status)}</Badge>
      </td>
      <td className={`reg-renewal ${highlight ? `reg-text-${highlight}` : "muted"}`}>{renewal}</td>
      <td className="nowrap">
        {t("adminReg.auth.camerasCell", { serving, total: mine.length })}
        {a.camera_limit !== null && <div className="cell-note">{t("adminReg.auth.limit", { limit: a.camera_limit })}</div>}
      </td>
      <td className="nowrap">
        {a.retention_min_days !== null
          ? t("adminReg.daysRange", { min: a.retention_min_days, max: a.retention_max_days })
          : t("adminReg.days", { n: a.retention_max_days })}
      </td>
      {canWrite && (
        <td className="col-actions">
          <Button size="sm" onClick={onEdit} aria-label={t("adminReg.auth.editLabel", { reference: a.reference })}>
            {t("adminReg.edit")}
          </Button>
        </td>
      )}
    </tr>
  );
}
