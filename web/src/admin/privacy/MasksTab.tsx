import type { Me } from "../../api/client";
import { UpcomingTab } from "../AdminPage";

/** Administration tab (being built): each camera's privacy masks. */
export function MasksTab(_props: { me: Me }) {
  return <UpcomingTab />;
}
