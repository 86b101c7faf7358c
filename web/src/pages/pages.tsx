import type { Me } from "../api/client";
import { Icon } from "../components/icons";
import { Button, EmptyState } from "../components/ui";
import { type MessageKey, t } from "../i18n";
import { navigate } from "../shell/router";
import { type Screen, visibleScreens } from "../shell/nav";

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

const PLACEHOLDERS: Record<string, { title: MessageKey; empty: MessageKey; body: MessageKey; cli?: string }> = {
  map: { title: "map.title", empty: "map.emptyTitle", body: "map.emptyBody" },
  admin: {
    title: "admin.title",
    empty: "admin.emptyTitle",
    body: "admin.emptyBody",
    cli: "sentinelle user list · sentinelle camera list",
  },
};

/** A screen not built yet: says what it will do, and what to use meanwhile. */
export function UpcomingPage({ screen }: { screen: Screen }) {
  const p = PLACEHOLDERS[screen.id];
  if (!p) return null;
  return (
    <>
      <PageHeader title={t(p.title)} />
      <EmptyState icon={<Icon name={screen.icon} size={40} />} title={t(p.empty)}>
        <p>{t(p.body)}</p>
        {p.cli && (
          <p className="cli-hint">
            <span className="muted">{t("placeholder.cli")} : </span>
            <code>{p.cli}</code>
          </p>
        )}
      </EmptyState>
    </>
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
