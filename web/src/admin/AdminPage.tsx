// The administration screen: one tab per register the administrator keeps (authorisations,
// zones, cameras, users, roles, habilitations, legal holds, destruction register, export
// journal). The journal itself has its own screen. Each tab lives in its own file.
import type { Me } from "../api/client";
import { Icon } from "../components/icons";
import { EmptyState } from "../components/ui";
import { t } from "../i18n";
import { PageHeader } from "../pages/pages";
import { navigate, usePath } from "../shell/router";
import { HabilitationsTab } from "./people/HabilitationsTab";
import { MasksTab } from "./privacy/MasksTab";
import { RolesTab } from "./people/RolesTab";
import { UsersTab } from "./people/UsersTab";
import { ExportJournalTab } from "./records/ExportJournalTab";
import { HoldsTab } from "./records/HoldsTab";
import { RegisterTab } from "./records/RegisterTab";
import { AuthorisationsTab } from "./registry/AuthorisationsTab";
import { CamerasTab } from "./registry/CamerasTab";
import { ZonesTab } from "./registry/ZonesTab";
import { type AdminTabId, tabOfPath, visibleTabs } from "./tabs";
import "./admin.css";

const PANELS: Record<AdminTabId, (props: { me: Me }) => React.ReactNode> = {
  authorisations: AuthorisationsTab,
  zones: ZonesTab,
  cameras: CamerasTab,
  masks: MasksTab,
  users: UsersTab,
  roles: RolesTab,
  habilitations: HabilitationsTab,
  holds: HoldsTab,
  register: RegisterTab,
  exportJournal: ExportJournalTab,
};

export function AdminPage({ me }: { me: Me }) {
  const path = usePath();
  const tabs = visibleTabs(me.permissions);
  const active = tabOfPath(path, tabs);
  if (!active) return null;
  const Panel = PANELS[active.id];
  return (
    <>
      <PageHeader title={t("admin.title")} lead={t("admin.lead")} />
      <nav className="admin-tabs" role="tablist" aria-label={t("admin.title")}>
        {tabs.map((tab) => (
          <a
            key={tab.id}
            role="tab"
            aria-selected={tab.id === active.id}
            className={tab.id === active.id ? "admin-tab admin-tab-active" : "admin-tab"}
            href={`/administration/${tab.slug}`}
            onClick={(e) => {
              e.preventDefault();
              navigate(`/administration/${tab.slug}`);
            }}
          >
            {t(tab.label)}
          </a>
        ))}
      </nav>
      <section className="admin-panel" role="tabpanel" aria-label={t(active.label)}>
        <Panel me={me} />
      </section>
    </>
  );
}

/** A tab whose screen is not built yet. */
export function UpcomingTab() {
  return (
    <EmptyState icon={<Icon name="admin" size={40} />} title={t("admin.emptyTitle")}>
      <p>{t("admin.emptyBody")}</p>
    </EmptyState>
  );
}
