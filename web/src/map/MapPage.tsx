import type { Me } from "../api/client";
import { Icon } from "../components/icons";
import { EmptyState } from "../components/ui";
import { t } from "../i18n";
import { PageHeader } from "../pages/pages";

/** The map of cameras (being built). */
export function MapPage(_props: { me: Me }) {
  return (
    <>
      <PageHeader title={t("map.title")} />
      <EmptyState icon={<Icon name="map" size={40} />} title={t("map.emptyTitle")}>
        <p>{t("map.emptyBody")}</p>
      </EmptyState>
    </>
  );
}
