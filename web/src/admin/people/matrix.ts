// The roles screen's permission matrix: one row per permission (in the API's order), one
// column per role, a mark where the role grants it (GET /api/roles, from ROLE_PERMISSIONS).
export interface RolesData {
  permissions: readonly string[];
  video_permissions: readonly string[];
  roles: readonly { id: string; permissions: readonly string[] }[];
}

export interface MatrixRow {
  permission: string;
  /** Also needs a valid habilitation covering the camera. */
  video: boolean;
  /** One per role, in the order of `roles`. */
  granted: boolean[];
}

export interface Matrix {
  roles: string[];
  rows: MatrixRow[];
}

export function buildMatrix(data: RolesData): Matrix {
  const sets = data.roles.map((r) => new Set(r.permissions));
  const video = new Set(data.video_permissions);
  return {
    roles: data.roles.map((r) => r.id),
    rows: data.permissions.map((permission) => ({
      permission,
      video: video.has(permission),
      granted: sets.map((s) => s.has(permission)),
    })),
  };
}
