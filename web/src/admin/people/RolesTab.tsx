// Administration › Roles: what each role may do, in French, and the permission matrix
// (rows permissions, columns roles) from GET /api/roles, i.e. ROLE_PERMISSIONS itself.
import { useCallback } from "react";
import { api, type Me } from "../../api/client";
import { ErrorState, Spinner } from "../../components/ui";
import { hasMessage, type MessageKey, t } from "../../i18n";
import { buildMatrix } from "./matrix";
import { call, useLoad } from "../shared/load";
import { explain } from "./shared";
import { roleLabel } from "./UsersTab";
import "./people.css";

const permLabel = (p: string) => {
  const key = `adminPeople.perm.${p}`;
  return hasMessage(key) ? t(key) : p;
};

export function RolesTab(_props: { me: Me }) {
  const fetcher = useCallback(() => call(() => api.GET("/api/roles")), []);
  const [load, reload] = useLoad(fetcher);
  if (load.state === "loading") return <Spinner label={t("adminPeople.loading")} />;
  if (load.state === "error") return <ErrorState message={explain(load.error)} onRetry={reload} />;
  const data = load.data;
  const matrix = buildMatrix(data);
  return (
    <div className="ap-tab">
      <div>
        <h2 className="ap-title">{t("adminPeople.roles.title")}</h2>
        <p className="muted ap-lead">{t("adminPeople.roles.lead")}</p>
      </div>
      <ul className="ap-roles" aria-label={t("adminPeople.roles.title")}>
        {data.roles.map((r) => (
          <li key={r.id} className="ap-role-card">
            <div className="ap-role-head">
              <strong>{roleLabel(r.id)}</strong>
              <span className="muted">{t("adminPeople.roles.count", { count: r.permissions.length })}</span>
            </div>
            <p>{t(`adminPeople.roleDesc.${r.id}` as MessageKey)}</p>
            <div className="ap-role-tags">
              {r.mfa_required && <span className="ap-role-tag ap-role-tag-info">{t("adminPeople.roles.mfa")}</span>}
              {r.scoped_registry && <span className="ap-role-tag ap-role-tag-warn">{t("adminPeople.roles.scoped")}</span>}
            </div>
          </li>
        ))}
      </ul>
      <div className="table-wrap">
        <table className="table ap-matrix" aria-label={t("adminPeople.roles.title")}>
          <thead>
            <tr>
              <th scope="col">{t("adminPeople.roles.permission")}</th>
              {matrix.roles.map((r) => (
                <th key={r} scope="col" className="ap-matrix-role">
                  {roleLabel(r)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {matrix.rows.map((row) => (
              <tr key={row.permission} data-testid={`perm-${row.permission}`}>
                <th scope="row" className="ap-matrix-perm">
                  {permLabel(row.permission)}
                  <div className="cell-note">
                    <code>{row.permission}</code>
                    {row.video && <> · {t("adminPeople.roles.video")}</>}
                  </div>
                </th>
                {row.granted.map((granted, i) => (
                  <td key={matrix.roles[i]} className={granted ? "ap-cell-yes" : "ap-cell-no"}>
                    {granted ? <span role="img" aria-label={t("adminPeople.roles.granted")}>✓</span> : <span role="img" aria-label={t("adminPeople.roles.notGranted")}>·</span>}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
