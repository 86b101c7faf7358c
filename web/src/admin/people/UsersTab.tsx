import type { Me } from "../../api/client";
import { UpcomingTab } from "../AdminPage";

/** Administration tab (being built). */
export function UsersTab(_props: { me: Me }) {
  return <UpcomingTab />;
}
