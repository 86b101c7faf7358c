// The console's screens and who may see them, read from the permissions /api/auth/me returns
// (the roles of src/sentinelle/access/models.py). Hiding an entry is comfort, not security:
// the API refuses what the role does not grant.
import { ADMIN_PERMISSIONS } from "../admin/tabs";
import type { MessageKey } from "../i18n";

export type ScreenId = "wall" | "map" | "playback" | "exports" | "admin" | "journal";

export interface Screen {
  id: ScreenId;
  path: string;
  label: MessageKey;
  /** Shortcut after "g". */
  key: string;
  /** Visible when the user holds any of these permissions. */
  anyOf: readonly string[];
  /** Screens that show video need a valid habilitation too. */
  video: boolean;
  icon: string;
}

export const SCREENS: readonly Screen[] = [
  { id: "wall", path: "/mur", label: "nav.wall", key: "m", anyOf: ["video.live"], video: true, icon: "wall" },
  { id: "map", path: "/carte", label: "nav.map", key: "c", anyOf: ["video.live", "camera.status"], video: false, icon: "map" },
  { id: "playback", path: "/relecture", label: "nav.playback", key: "r", anyOf: ["video.playback"], video: true, icon: "playback" },
  { id: "exports", path: "/exports", label: "nav.exports", key: "e", anyOf: ["video.export"], video: true, icon: "exports" },
  {
    id: "admin",
    path: "/administration",
    label: "nav.admin",
    key: "a",
    anyOf: ADMIN_PERMISSIONS,
    video: false,
    icon: "admin",
  },
  { id: "journal", path: "/journal", label: "nav.journal", key: "j", anyOf: ["audit.read"], video: false, icon: "journal" },
];

export interface Access {
  permissions: readonly string[];
  video_access: boolean;
}

export function canSee(screen: Screen, me: Access): boolean {
  const granted = screen.anyOf.some((p) => me.permissions.includes(p));
  return granted && (!screen.video || me.video_access);
}

export function visibleScreens(me: Access): Screen[] {
  return SCREENS.filter((screen) => canSee(screen, me));
}

export function screenOfPath(path: string): Screen | undefined {
  return SCREENS.find((s) => path === s.path || path.startsWith(`${s.path}/`));
}
