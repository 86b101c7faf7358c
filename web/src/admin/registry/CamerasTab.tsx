import type { Me } from "../../api/client";
import { UpcomingTab } from "../AdminPage";

/** Administration tab (being built). */
export function CamerasTab(_props: { me: Me }) {
  return <UpcomingTab />;
}
