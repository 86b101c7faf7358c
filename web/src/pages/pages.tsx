import type { Me } from "../api/client";
import { Icon } from "../components/icons";
import { Button, EmptyState } from "../components/ui";
import { t } from "../i18n";
import { navigate } from "../shell/router";
import { visibleScreens } from "../shell/nav";

export function PageHeader({ title, lead, actions }: { title: string; lead?: string; actions?: React.ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {lead && <p className="muted">{lead}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}

export function HomePage({ me }: { me: Me }) {
  const screens = visibleScreens(me);
  return (
    <>
      <PageHeader title={t("home.title", { name: me.username })} lead={t("home.lead")} />
      {screens.length === 0 ? (
        <EmptyState icon={<Icon name="lock" size={40} />} title={t("forbidden.title")}>
          <p>{t("home.noScreens")}</p>
        </EmptyState>
      ) : (
        <div className="tiles">
          {screens.map((s) => (
            <a
              key={s.id}
              className="tile"
              href={s.path}
              onClick={(e) => {
                e.preventDefault();
                navigate(s.path);
              }}
            >
              <Icon name={s.icon} size={28} />
              <span className="tile-label">{t(s.label)}</span>
              <span className="tile-key">g {s.key}</span>
            </a>
          ))}
        </div>
      )}
    </>
  );
}

export function NotFoundPage() {
  return (
    <EmptyState
      icon="?"
      title={t("notFound.title")}
      action={<Button onClick={() => navigate("/")}>{t("notFound.back")}</Button>}
    >
      <p>{t("notFound.body")}</p>
    </EmptyState>
  );
}

export function ForbiddenPage({ me }: { me: Me }) {
  return (
    <EmptyState
      icon={<Icon name="lock" size={40} />}
      title={t("forbidden.title")}
      action={<Button onClick={() => navigate("/")}>{t("notFound.back")}</Button>}
    >
      <p>{t("forbidden.body", { role: t(`role.${me.role}`) })}</p>
    </EmptyState>
  );
}
