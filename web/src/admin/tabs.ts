// The administration screen's tabs and who may see them (permissions of /api/auth/me, as in
// src/sentinelle/access/models.py). Hiding a tab is comfort, not security: the API refuses.
import type { MessageKey } from "../i18n";

export type AdminTabId =
  | "authorisations"
  | "zones"
  | "cameras"
  | "masks"
  | "users"
  | "roles"
  | "habilitations"
  | "holds"
  | "register"
  | "exportJournal";

export interface AdminTab {
  id: AdminTabId;
  /** Path segment under /administration/. */
  slug: string;
  label: MessageKey;
  anyOf: readonly string[];
}

export const ADMIN_TABS: readonly AdminTab[] = [
  { id: "authorisations", slug: "autorisations", label: "admin.tab.authorisations", anyOf: ["registry.write", "registry.read"] },
  { id: "zones", slug: "zones", label: "admin.tab.zones", anyOf: ["registry.write"] },
  { id: "cameras", slug: "cameras", label: "admin.tab.cameras", anyOf: ["registry.write", "camera.status"] },
  { id: "masks", slug: "masques", label: "admin.tab.masks", anyOf: ["registry.write"] },
  { id: "users", slug: "utilisateurs", label: "admin.tab.users", anyOf: ["users.write", "users.read"] },
  { id: "roles", slug: "roles", label: "admin.tab.roles", anyOf: ["users.write", "users.read"] },
  { id: "habilitations", slug: "habilitations", label: "admin.tab.habilitations", anyOf: ["habilitations.write", "users.read"] },
  { id: "holds", slug: "conservation", label: "admin.tab.holds", anyOf: ["holds.write", "register.read"] },
  { id: "register", slug: "registre", label: "admin.tab.register", anyOf: ["register.read"] },
  { id: "exportJournal", slug: "journal-exports", label: "admin.tab.exportJournal", anyOf: ["register.read"] },
];

/** The permissions that open the administration screen at all (any one of its tabs). */
export const ADMIN_PERMISSIONS: readonly string[] = [...new Set(ADMIN_TABS.flatMap((tab) => tab.anyOf))].filter(
  // Reading the registry alone (every operator) does not make an administrator.
  (p) => p !== "registry.read",
);

export function visibleTabs(permissions: readonly string[]): AdminTab[] {
  const admin = ADMIN_PERMISSIONS.some((p) => permissions.includes(p));
  if (!admin) return [];
  return ADMIN_TABS.filter((tab) => tab.anyOf.some((p) => permissions.includes(p)));
}

/** The tab a path names (/administration/<slug>), or the first visible one. */
export function tabOfPath(path: string, tabs: readonly AdminTab[]): AdminTab | undefined {
  const slug = path.replace(/^\/administration\/?/, "").split("/")[0];
  return tabs.find((tab) => tab.slug === slug) ?? tabs[0];
}
